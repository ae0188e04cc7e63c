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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CI variant of the soak (docs/SOAK.md): the demo's two jobs (ND4J backend, embedded broker in its own JVM)
 * at 10 windows and 12 readings a second for 90 s, every fifth window from a machine never seen before, sampled
 * every 2 s. After warm-up (once the job has published its first 300 predictions) the live heap, the resident sets
 * of both processes and the checkpoint stay flat: their least-squares slopes are under the bounds below, and the
 * jobs never restart and keep publishing. On a machine too loaded to run the job at its rate the test is skipped
 * (an assumption), since memory figures of a starved job say nothing.
 */
class SoakFlatTest {
    private static final double MB = 1e6;
    /** Live heap (after a full GC), second-half slope: a leak of 1 in 50 windows (4x2048 floats) would be ~10 MB/min. */
    private static final double HEAP_LIVE_MB_PER_MIN = 6;
    /** Resident set of either JVM, second-half slope (JIT and allocator arenas still settle in the first minutes). */
    private static final double RSS_MB_PER_MIN = 30;
    /** The latest checkpoint's size, second-half slope. */
    private static final double CHECKPOINT_MB_PER_MIN = 2;
    /** Predictions published before the measurement starts. */
    private static final long WARM_UP = 300;

    @Test
    void memoryAndStateStayFlatAfterWarmUp(@TempDir Path tmp) throws Exception {
        TandemConfig config = TandemConfig.load(List.of(TandemConfig.bundled("demo.properties"), TandemConfig.bundled("soak.properties")),
                List.of("compute.backend=nd4j", "job.checkpoint-interval-ms=2000"));
        Path csv = tmp.resolve("soak.csv");
        long t0 = System.nanoTime();
        List<long[]> rows = Soak.run(config, Duration.ofSeconds(90), csv, Duration.ofSeconds(2), 10, 12, 5, 16, false, System.err);
        assertEquals(rows.size() + 1, Files.readAllLines(csv).size(), "a CSV row per sample");
        assertEquals(rows.size(), SoakCheck.read(csv).size());
        SoakPlot.write(rows, "soak CI variant", tmp.resolve("soak.png"));
        assertTrue(Files.size(tmp.resolve("soak.png")) > 10_000, "the plot was drawn");
        // warm-up ends when the job has published its first WARM_UP predictions, not at a fixed time: on a loaded
        // machine the mini cluster, ND4J and the first checkpoints take longer to start
        List<long[]> measured = SoakCheck.after(rows, "predictions_out", WARM_UP);
        Map<String, Double> slopes = SoakCheck.slopesOver(measured);
        String figures = figures(rows, measured, slopes) + String.format(Locale.ROOT, "%n  test took %.1f s", (System.nanoTime() - t0) / 1e9);
        System.out.println(figures);
        long[] last = rows.get(rows.size() - 1);
        assertEquals(0, last[SoakCheck.column("restarts")], "restarts\n" + figures);
        // a soak says nothing about memory when the machine cannot run the job at its rate: skipped then, not passed
        assumeTrue(measured.size() >= 15 && last[SoakCheck.column("windows_in")] - last[SoakCheck.column("predictions_out")] < 100,
                "the machine is too loaded to soak: " + measured.size() + " samples after warm-up, predictions "
                        + last[SoakCheck.column("predictions_out")] + " of " + last[SoakCheck.column("windows_in")] + " windows\n" + figures);
        long[] first = measured.get(0);
        for (String c : List.of("predictions_out", "forecasts_out")) {
            assertTrue(last[SoakCheck.column(c)] > first[SoakCheck.column(c)], c + " kept coming\n" + figures);
        }
        assertTrue(slopes.get("heap_live_bytes") < HEAP_LIVE_MB_PER_MIN * MB, "live heap slope\n" + figures);
        assertTrue(slopes.get("tandem_rss_bytes") < RSS_MB_PER_MIN * MB, "tandem RSS slope\n" + figures);
        assertTrue(slopes.get("broker_rss_bytes") < RSS_MB_PER_MIN * MB, "broker RSS slope\n" + figures);
        assertTrue(slopes.get("checkpoint_bytes") < CHECKPOINT_MB_PER_MIN * MB, "checkpoint slope\n" + figures);
        assertTrue(SoakCheck.range(rows, "heap_live_bytes")[2] < 512 * MB, "live heap\n" + figures);
    }

    private static String figures(List<long[]> rows, List<long[]> measured, Map<String, Double> slopes) {
        StringBuilder s = new StringBuilder("soak CI variant, " + rows.size() + " samples, " + measured.size()
                + " after warm-up (" + WARM_UP + " predictions); slopes over those:\n");
        for (var e : slopes.entrySet()) {
            double[] r = SoakCheck.range(rows, e.getKey());
            s.append(String.format(Locale.ROOT, "  %-24s min %8.1f MB  max %8.1f MB  slope %+.2f MB/min%n",
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
