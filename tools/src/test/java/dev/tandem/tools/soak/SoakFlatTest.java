package dev.tandem.tools.soak;

import dev.tandem.job.config.TandemConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CI variant of the soak (docs/SOAK.md): the demo's two jobs (ND4J backend, embedded broker in its own JVM)
 * at 10 windows and 12 readings a second for 100 s, every fifth window from a machine never seen before, sampled
 * every 2 s. After warm-up (the second half) the live heap, the resident sets of both processes and the checkpoint
 * stay flat: their least-squares slopes are under the bounds below, the jobs never restart and keep publishing.
 */
class SoakFlatTest {
    private static final double MB = 1e6;
    /** Live heap (after a full GC), second-half slope: a leak of 1 in 50 windows (4x2048 floats) would be ~10 MB/min. */
    private static final double HEAP_LIVE_MB_PER_MIN = 6;
    /** Resident set of either JVM, second-half slope (JIT and allocator arenas still settle in the first minutes). */
    private static final double RSS_MB_PER_MIN = 30;
    /** The latest checkpoint's size, second-half slope. */
    private static final double CHECKPOINT_MB_PER_MIN = 2;

    @Test
    void memoryAndStateStayFlatAfterWarmUp(@TempDir Path tmp) throws Exception {
        TandemConfig config = TandemConfig.load(List.of(TandemConfig.bundled("demo.properties"), TandemConfig.bundled("soak.properties")),
                List.of("compute.backend=nd4j", "job.checkpoint-interval-ms=2000"));
        Path csv = tmp.resolve("soak.csv");
        List<long[]> rows = Soak.run(config, Duration.ofSeconds(100), csv, Duration.ofSeconds(2), 10, 12, 5, System.err);
        assertEquals(rows.size() + 1, Files.readAllLines(csv).size(), "a CSV row per sample");
        assertEquals(rows.size(), SoakCheck.read(csv).size());
        SoakPlot.write(rows, "soak CI variant", tmp.resolve("soak.png"));
        assertTrue(Files.size(tmp.resolve("soak.png")) > 10_000, "the plot was drawn");
        assertTrue(rows.size() >= 40, "samples: " + rows.size());
        Map<String, Double> slopes = SoakCheck.slopes(rows);
        String figures = figures(rows, slopes);
        System.out.println(figures);
        List<long[]> half = SoakCheck.secondHalf(rows);
        long[] first = half.get(0);
        long[] last = rows.get(rows.size() - 1);
        assertEquals(0, last[SoakCheck.column("restarts")], "restarts\n" + figures);
        for (String c : List.of("predictions_out", "forecasts_out")) {
            assertTrue(last[SoakCheck.column(c)] > first[SoakCheck.column(c)], c + " kept coming\n" + figures);
        }
        assertTrue(last[SoakCheck.column("windows_in")] - last[SoakCheck.column("predictions_out")] < 100,
                "the job keeps up with the rate\n" + figures);
        assertTrue(slopes.get("heap_live_bytes") < HEAP_LIVE_MB_PER_MIN * MB, "live heap slope\n" + figures);
        assertTrue(slopes.get("tandem_rss_bytes") < RSS_MB_PER_MIN * MB, "tandem RSS slope\n" + figures);
        assertTrue(slopes.get("broker_rss_bytes") < RSS_MB_PER_MIN * MB, "broker RSS slope\n" + figures);
        assertTrue(slopes.get("checkpoint_bytes") < CHECKPOINT_MB_PER_MIN * MB, "checkpoint slope\n" + figures);
        assertTrue(SoakCheck.range(rows, "heap_live_bytes")[2] < 512 * MB, "live heap\n" + figures);
    }

    private static String figures(List<long[]> rows, Map<String, Double> slopes) {
        StringBuilder s = new StringBuilder("soak CI variant, " + rows.size() + " samples:\n");
        for (var e : slopes.entrySet()) {
            double[] r = SoakCheck.range(rows, e.getKey());
            s.append(String.format(Locale.ROOT, "  %-24s min %8.1f MB  max %8.1f MB  second-half slope %+.2f MB/min%n",
                    e.getKey(), r[0] / MB, r[2] / MB, e.getValue() / MB));
        }
        long[] last = rows.get(rows.size() - 1);
        s.append("  last: ");
        for (int i = 0; i < last.length; i++) {
            s.append(SoakSampler.COLUMNS.get(i)).append('=').append(last[i]).append(' ');
        }
        return s.toString();
    }
}
