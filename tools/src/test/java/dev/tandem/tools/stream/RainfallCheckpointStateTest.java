package dev.tandem.tools.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.job.stream.StateEstimate;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.tools.demo.WeatherSimulator;
import dev.tandem.tools.flink.JobWatch;
import dev.tandem.tools.flink.LocalFlink;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.WeatherProducer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rainfall job with state as large as on the BoM data (docs/RAINFALL.md): a 16 × 27 grid, 11 features
 * (27 channels), T = 4 and a replay of 256 examples, about 49 MB per region — ten times what the JobManager's heap
 * storage holds, which made every checkpoint fail before checkpoints went to a directory. The network is tiny (one
 * ConvLSTM layer of 2, 1 × 1 kernels) so that 290 steps fit in CI time; the state is replay-dominated either way.
 * Checks: several checkpoints of that size complete with no failure and no restart, every forecast is committed
 * (read_committed), and a run cancelled after the replay has wrapped and restored from its retained checkpoint
 * commits exactly the forecasts of an uninterrupted run.
 */
class RainfallCheckpointStateTest {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_704_067_200_000L; // 2024-01-01T00:00Z
    private static final int STEPS = 290;
    private static final int CUT = 272; // steps the interrupted run sees before it is cancelled (replay wrapped at ~260)
    private static final int WINDOW = 4;
    private static final List<String> EXTRAS = List.of("x1", "x2", "x3", "x4", "x5", "x6");
    private static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = TestBroker.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static TandemConfig config(String prefix, Path checkpoints) {
        return TandemConfig.defaults(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=" + prefix + "-job",
                "kafka.starting-offsets=earliest",
                "topics.weather-readings=" + prefix + "-readings",
                "topics.rain-forecasts=" + prefix + "-forecasts",
                "topics.dead-letters=" + prefix + "-dead",
                "rainfall.region=bom-sized",
                "rainfall.step=1h",
                "rainfall.allowed-lateness-ms=0",
                "rainfall.bbox=-38,-30.5,141,154",
                "rainfall.resolution=0.5", // 16 x 27 cells, the BoM grid's size
                "rainfall.features=rain_mm,humidity_pct,pressure_hpa,temp_c,wind_kmh," + String.join(",", EXTRAS),
                "rainfall.window=" + WINDOW,
                "rainfall.replay=256",
                "rainfall.rain-scale=10", // learns from the first full window (auto would wait for 50 wet readings)
                "rainfall.hidden=2",
                "rainfall.kernels=1",
                "rainfall.batch=2",
                "rainfall.ssgd.population=1",
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=1000",
                "job.checkpoint-dir=" + checkpoints.toUri(),
                "job.checkpoint-tolerable-failures=0",
                "job.watermark-out-of-orderness-ms=0",
                "job.source-idle-timeout-ms=0",
                "job.transactional-id-prefix=" + prefix);
    }

    /** The same readings for every run: 6 stations, the standard fields and six extra numeric ones. */
    private static List<List<WeatherReading>> readings() {
        WeatherSimulator sim = new WeatherSimulator(6, -37.5, -31, 141.5, 153.5, HOUR, 0.5, 11);
        List<List<WeatherReading>> steps = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            List<WeatherReading> step = sim.next(T0 + s * HOUR);
            for (int i = 0; i < step.size(); i++) {
                for (int e = 0; e < EXTRAS.size(); e++) {
                    step.get(i).putExtra(EXTRAS.get(e), Math.sin(0.1 * s + i + e) * (e + 1));
                }
            }
            steps.add(step);
        }
        return steps;
    }

    private static void send(TandemConfig c, List<List<WeatherReading>> steps, int from, int to) {
        try (WeatherProducer out = new WeatherProducer(kafka.bootstrapServers(), c.string("topics.weather-readings"))) {
            for (int s = from; s < to; s++) {
                steps.get(s).forEach(out::send);
            }
            out.flush();
        }
    }

    private static CommittedReader reader(TandemConfig c, Map<Long, Forecast> into, List<Long> duplicates) {
        return new CommittedReader(kafka.bootstrapServers(), List.of(c.string("topics.rain-forecasts")), (topic, value) -> {
            try {
                Forecast f = Json.read(value, Forecast.class);
                if (into.put(f.validAt, f) != null) {
                    duplicates.add(f.validAt);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static JobClient start(LocalFlink flink, TandemConfig c, Configuration extra, String name) throws Exception {
        StreamExecutionEnvironment env = flink.environment(extra);
        RainfallMain.build(env, c);
        return env.executeAsync(name);
    }

    /** Forecasts of `steps` steps: the last stays open, the first T − 1 frames forecast nothing. */
    private static int forecastsOf(int steps) {
        return steps - 1 - (WINDOW - 1);
    }

    @Test
    void bomSizedStateCheckpointsCommitsAndRestoresAsUninterrupted(@TempDir Path tmp) throws Exception {
        List<List<WeatherReading>> steps = readings();
        // 1. uninterrupted
        TandemConfig a = config("bom-a", tmp.resolve("a"));
        RainfallJobKafkaTest.createTopics(kafka.bootstrapServers(), a, 1);
        Map<Long, Forecast> uninterrupted = new ConcurrentSkipListMap<>();
        List<Long> dupA = new ArrayList<>();
        LocalFlink flinkA = LocalFlink.of("127.0.0.1");
        JobClient jobA = start(flinkA, a, null, "bom-a");
        long checkpointBytes;
        try (JobWatch watch = JobWatch.start(flinkA.restUrl(), jobA.getJobID(), "bom-a", System.err, Duration.ofMillis(500));
             CommittedReader r = reader(a, uninterrupted, dupA)) {
            // paced, 10 steps every 250 ms: checkpoints are taken while the replay grows to its full size
            for (int from = 0; from < STEPS; from += 10) {
                send(a, steps, from, Math.min(STEPS, from + 10));
                Thread.sleep(250);
            }
            assertTrue(r.await(() -> uninterrupted.size() >= forecastsOf(STEPS), Duration.ofSeconds(240)),
                    () -> "forecasts " + uninterrupted.size() + "/" + forecastsOf(STEPS) + ", checkpoints completed "
                            + watch.completedCheckpoints() + ", failed " + watch.failedCheckpoints() + ": "
                            + watch.firstCause() + TestLogs.tail(60));
            // with the replay full, further checkpoints of the whole ~49 MB state complete
            long done = watch.completedCheckpoints();
            long until = System.nanoTime() + 60_000_000_000L;
            while (watch.completedCheckpoints() < done + 3 && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            assertEquals(0, watch.failedCheckpoints(), () -> "failed checkpoints: " + watch.firstCause());
            assertEquals(0, watch.restarts(), () -> "restarts: " + watch.firstCause());
            assertTrue(watch.completedCheckpoints() >= done + 3, "completed checkpoints " + watch.completedCheckpoints()
                    + ", " + done + " when the last forecast was committed");
            checkpointBytes = watch.latestCheckpointBytes();
        } finally {
            jobA.cancel().get();
        }
        long expected = StateEstimate.rainfall(a).bytesPerKey();
        assertTrue(expected > 45_000_000 && expected < 55_000_000, "estimate " + expected);
        assertTrue(checkpointBytes > 0.9 * expected && checkpointBytes < 1.2 * expected,
                "the latest checkpoint holds " + checkpointBytes + " B, the estimate is " + expected + " B");
        assertEquals(List.of(), dupA, "each forecast committed once");

        // 2. the same input, cancelled after CUT steps (the replay full and wrapped) and restored from its checkpoint
        TandemConfig b = config("bom-b", tmp.resolve("b"));
        RainfallJobKafkaTest.createTopics(kafka.bootstrapServers(), b, 1);
        Map<Long, Forecast> restored = new ConcurrentSkipListMap<>();
        List<Long> dupB = new ArrayList<>();
        Configuration retain = new Configuration();
        retain.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        try (CommittedReader r = reader(b, restored, dupB)) {
            send(b, steps, 0, CUT);
            LocalFlink flinkB = LocalFlink.of("127.0.0.1");
            JobClient first = start(flinkB, b, retain, "bom-b1");
            try {
                assertTrue(r.await(() -> restored.size() >= forecastsOf(CUT), Duration.ofSeconds(240)),
                        () -> "forecasts before the cut " + restored.size() + "/" + forecastsOf(CUT) + TestLogs.tail(60));
            } finally {
                first.cancel().get();
            }
            Path checkpoint = latestCheckpoint(tmp.resolve("b"));
            send(b, steps, CUT, STEPS);
            Configuration resume = new Configuration(retain);
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
            LocalFlink flinkB2 = LocalFlink.of("127.0.0.1");
            JobClient second = start(flinkB2, b, resume, "bom-b2");
            try {
                assertTrue(r.await(() -> restored.size() >= forecastsOf(STEPS), Duration.ofSeconds(240)),
                        () -> "forecasts after the restore " + restored.size() + "/" + forecastsOf(STEPS) + TestLogs.tail(60));
                Thread.sleep(1500); // a further checkpoint must not add anything
            } finally {
                second.cancel().get();
            }
        }
        assertEquals(List.of(), dupB, "no forecast committed twice across the restore");
        assertEquals(uninterrupted.keySet(), restored.keySet());
        for (Map.Entry<Long, Forecast> e : uninterrupted.entrySet()) {
            Forecast u = e.getValue();
            Forecast x = restored.get(e.getKey());
            assertEquals(u.modelVersion, x.modelVersion, "model version of the forecast valid at " + e.getKey());
            assertEquals(u.previousMse, x.previousMse, "prequential score of the forecast valid at " + e.getKey());
            for (int row = 0; row < u.rainMm.length; row++) {
                assertArrayEquals(u.rainMm[row], x.rainMm[row], "rain of row " + row + " valid at " + e.getKey());
            }
        }
        assertEquals(16, uninterrupted.values().iterator().next().grid.rows);
        assertEquals(27, uninterrupted.values().iterator().next().grid.cols);
    }

    /** The newest chk-N folder with a _metadata file under a job's checkpoint directory. */
    private static Path latestCheckpoint(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root, 2)) {
            Path p = s.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.isRegularFile(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElse(null);
            assertNotNull(p, "a retained checkpoint under " + root);
            return p;
        }
    }
}
