package dev.tandem.tools.stream;

import dev.tandem.operators.gearbox.FleetTrainerFunction;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.WindowProducer;
import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on a Flink mini cluster against a real (in-process KRaft) Kafka broker: windows in; predictions,
 * alerts and dead letters out, read with read_committed; a restart from a retained checkpoint continues with the
 * checkpointed model and repeats no output.
 */
class GearboxJobKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static KafkaClusterTestKit kafka;
    private static final int CHANNELS = 2;
    private static final int LENGTH = 512;

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

    private static TandemConfig config(String prefix) {
        return TandemConfig.defaults(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=" + prefix + "-job",
                "kafka.starting-offsets=committed",
                "topics.gearbox-windows=" + prefix + "-windows",
                "topics.gearbox-predictions=" + prefix + "-predictions",
                "topics.gearbox-alerts=" + prefix + "-alerts",
                "topics.dead-letters=" + prefix + "-dead",
                "gearbox.fleets=demo",
                "gearbox.batch=4",
                "gearbox.learning-rate=0.003",
                "alert.k=3",
                "alert.confidence=0.6",
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=400",
                "job.transactional-id-prefix=" + prefix,
                "job.source-idle-timeout-ms=0");
    }

    private static void createTopics(TandemConfig c) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            // The windows are stamped in 2023 (record timestamp = window time): with the default 7-day retention the
            // broker's first retention check deletes them, and the job then waits for records that are gone.
            java.util.Map<String, String> keep = java.util.Map.of("retention.ms", "-1");
            admin.createTopics(List.of(
                    new NewTopic(c.string("topics.gearbox-windows"), 1, (short) 1).configs(keep), // one partition: a deterministic order
                    new NewTopic(c.string("topics.gearbox-predictions"), 2, (short) 1).configs(keep),
                    new NewTopic(c.string("topics.gearbox-alerts"), 1, (short) 1).configs(keep),
                    new NewTopic(c.string("topics.dead-letters"), 1, (short) 1).configs(keep))).all().get();
        }
    }

    /** n windows from t0 on: m1 healthy, m2 broken, m3 healthy; 3 of 4 labelled. */
    private static List<VibrationWindow> windows(int n, long t0) {
        GearboxSimulator sim = new GearboxSimulator("demo", CHANNELS, LENGTH, GearboxSimulator.DEFAULT_RATE, 7);
        List<VibrationWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String machine = "m" + (1 + i % 3);
            boolean broken = machine.equals("m2");
            String kind = broken ? "broken_tooth" : "healthy";
            out.add(sim.window(machine, t0 + 100L * i, broken, i % 4 == 3 ? null : kind));
        }
        return out;
    }

    private static void produce(TandemConfig c, List<VibrationWindow> windows, List<byte[]> malformed) {
        try (WindowProducer p = new WindowProducer(kafka.bootstrapServers(), c.string("topics.gearbox-windows"), c.windowFormat())) {
            for (int i = 0; i < windows.size(); i++) {
                p.send(windows.get(i));
                if (i % 20 == 10 && !malformed.isEmpty()) {
                    p.sendRaw("bad", malformed.remove(0), windows.get(i).time);
                }
            }
            p.flush();
        }
    }

    private static StreamExecutionEnvironment env(TandemConfig c, Path checkpoints, String restoreFrom) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        GearboxMain.build(env, c);
        return env;
    }

    private static final class Collected {
        final List<Prediction> predictions = Collections.synchronizedList(new ArrayList<>());
        final List<JsonNode> alerts = Collections.synchronizedList(new ArrayList<>());
        final List<JsonNode> dead = Collections.synchronizedList(new ArrayList<>());
    }

    private static String status(JobClient job) {
        try {
            return String.valueOf(job.getJobStatus().get());
        } catch (Exception e) {
            return "status unknown (" + e + ")";
        }
    }

    private static CommittedReader reader(TandemConfig c, Collected into) {
        return new CommittedReader(kafka.bootstrapServers(), List.of(c.string("topics.gearbox-predictions"),
                c.string("topics.gearbox-alerts"), c.string("topics.dead-letters")), (topic, value) -> {
            try {
                if (topic.equals(c.string("topics.gearbox-predictions"))) {
                    into.predictions.add(Json.read(value, Prediction.class));
                } else if (topic.equals(c.string("topics.gearbox-alerts"))) {
                    into.alerts.add(Json.mapper().readTree(value));
                } else {
                    into.dead.add(Json.mapper().readTree(value));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void windowsInPredictionsAlertsAndDeadLettersOut(@TempDir Path tmp) throws Exception {
        TandemConfig c = config("e2e");
        createTopics(c);
        List<VibrationWindow> in = windows(150, 1_700_000_000_000L);
        List<byte[]> malformed = new ArrayList<>(List.of(
                "this is not json".getBytes(StandardCharsets.UTF_8),
                "{\"time\":1,\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":NaN,\"channels\":[[1,2]]}".getBytes(StandardCharsets.UTF_8),
                Json.write(new GearboxSimulator("elsewhere", CHANNELS, LENGTH, 5120, 1).window("m1", 5, false, null))));
        int bad = malformed.size();
        produce(c, in, malformed);
        Collected out = new Collected();
        JobClient job = env(c, tmp, null).executeAsync("gearbox-e2e");
        try (CommittedReader r = reader(c, out)) {
            assertTrue(r.await(() -> out.predictions.size() >= in.size() && out.dead.size() >= bad, Duration.ofSeconds(90)),
                    () -> "predictions " + out.predictions.size() + "/" + in.size() + ", dead letters "
                            + out.dead.size() + "/" + bad + TestLogs.tail(80));
            Thread.sleep(1000); // a further checkpoint must not add anything
        } finally {
            job.cancel().get();
        }
        assertEquals(in.size(), out.predictions.size(), "one prediction per good window");
        Map<String, Long> byWindow = new HashMap<>();
        for (Prediction p : out.predictions) {
            byWindow.merge(p.machine + "@" + p.time, 1L, Long::sum);
        }
        for (VibrationWindow w : in) {
            assertEquals(1L, byWindow.getOrDefault(w.machine + "@" + w.time, 0L), "window " + w.machine + "@" + w.time);
        }
        assertEquals(bad, out.dead.size());
        List<String> reasons = out.dead.stream().map(d -> d.get("reason").asText()).sorted().toList();
        assertTrue(reasons.stream().anyMatch(s -> s.contains("unknown fleet 'elsewhere'")), reasons.toString());
        assertTrue(reasons.stream().filter(s -> s.startsWith("unparseable json")).count() == 2, reasons.toString());
        assertEquals(c.string("topics.gearbox-windows"), out.dead.get(0).get("topic").asText());
        long versions = out.predictions.stream().mapToLong(p -> p.modelVersion).max().orElse(0);
        assertTrue(versions >= 20, "the model learned: version " + versions);
        List<Prediction> late = out.predictions.stream().sorted(Comparator.comparingLong(p -> p.time)).skip(100).toList();
        double accuracy = late.stream().filter(p -> p.machine.equals("m2") == p.decision.equals("broken_tooth")).count()
                / (double) late.size();
        assertTrue(accuracy > 0.8, "late prequential accuracy " + accuracy);
        assertTrue(out.alerts.stream().anyMatch(a -> a.get("kind").asText().equals("RAISED")
                && a.get("machine").asText().equals("m2") && a.get("fault").asText().equals("broken_tooth")),
                "an alert for the broken machine: " + out.alerts);
    }

    @Test
    void restartFromACheckpointContinuesTheModelAndRepeatsNoOutput(@TempDir Path tmp) throws Exception {
        TandemConfig c = config("restart");
        createTopics(c);
        List<VibrationWindow> first = windows(42, 1_700_000_000_000L);
        List<VibrationWindow> second = windows(30, 1_700_000_100_000L);
        Collected out = new Collected();
        try (CommittedReader r = reader(c, out)) {
            produce(c, first, new ArrayList<>());
            JobClient job = env(c, tmp, null).executeAsync("gearbox-restart-1");
            try {
                assertTrue(r.await(() -> out.predictions.size() >= first.size(), Duration.ofSeconds(60)),
                        () -> "phase 1 predictions " + out.predictions.size() + TestLogs.tail(80));
                Thread.sleep(1200); // let a checkpoint complete after the last window
            } finally {
                job.cancel().get();
            }
            String checkpoint = latestCheckpoint(tmp);
            produce(c, second, new ArrayList<>());
            JobClient resumed = env(c, tmp, checkpoint).executeAsync("gearbox-restart-2");
            try {
                assertTrue(r.await(() -> out.predictions.size() >= first.size() + second.size(), Duration.ofSeconds(90)),
                        () -> "phase 2 predictions " + out.predictions.size() + ", job " + status(resumed)
                                + " restored from " + checkpoint + TestLogs.tail(80));
                Thread.sleep(1200);
            } finally {
                resumed.cancel().get();
            }
        }
        // no output repeated: exactly one committed prediction per window
        assertEquals(first.size() + second.size(), out.predictions.size());
        Map<String, Prediction> byWindow = new HashMap<>();
        for (Prediction p : out.predictions) {
            assertEquals(null, byWindow.put(p.machine + "@" + p.time, p), "duplicate " + p);
        }
        // the same predictions, model versions and weight hashes as one uninterrupted run
        FleetLearner reference = new FleetLearner(c.fleetSettings(), new JavaBackend(), new GearboxCnnFactory());
        FleetState model = FleetTrainerFunction.create(reference, first.get(0));
        List<VibrationWindow> all = Stream.concat(first.stream(), second.stream()).toList();
        for (VibrationWindow w : all) {
            Prediction expected = FleetTrainerFunction.observe(reference, model, w);
            Prediction got = byWindow.get(w.machine + "@" + w.time);
            assertEquals(expected.modelVersion, got.modelVersion, "version at " + w.time);
            assertEquals(expected.modelHash, got.modelHash, "weights at " + w.time);
        }
        Prediction firstResumed = byWindow.get(second.get(0).machine + "@" + second.get(0).time);
        assertTrue(firstResumed.modelVersion >= 7, "the resumed job started from the checkpointed model, version "
                + firstResumed.modelVersion);
    }

    @Test
    void replayGearboxStreamsAManifestIntoATopic(@TempDir Path tmp) throws Exception {
        TandemConfig c = config("replay");
        createTopics(c);
        StringBuilder a = new StringBuilder("ch1,ch2\n");
        StringBuilder b = new StringBuilder("ch1,ch2\n");
        for (int i = 0; i < 1000; i++) {
            a.append(Math.sin(i * 0.3)).append(',').append(Math.cos(i * 0.3)).append('\n');
            b.append(Math.sin(i * 0.7)).append(',').append(i % 50 == 0 ? 3.0 : 0.1).append('\n');
        }
        Files.writeString(tmp.resolve("a.csv"), a);
        Files.writeString(tmp.resolve("b.csv"), b);
        Files.writeString(tmp.resolve("manifest.csv"),
                "file,label,sample_rate_hz,machine\na.csv,healthy,1000,r1\nb.csv,broken_tooth,1000,r2\n");
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = dev.tandem.tools.cli.Tandem.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = cl.execute("replay", "gearbox", "--data", tmp.toString(), "--bootstrap", kafka.bootstrapServers(),
                    "--topic", c.string("topics.gearbox-windows"), "--rate", "1000", "--window", "200", "--hop", "100",
                    "--json");
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, rc, captured.toString(StandardCharsets.UTF_8));
        String[] lines = captured.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode summary = Json.mapper().readTree(lines[lines.length - 1]);
        assertEquals(18, summary.get("windows").asInt(), "9 windows of 200 every 100 samples per recording");
        Properties p = dev.tandem.job.kafka.KafkaEnds.readCommittedConsumer(kafka.bootstrapServers(), "replay-check");
        List<VibrationWindow> got = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            consumer.subscribe(List.of(c.string("topics.gearbox-windows")));
            long end = System.nanoTime() + 30_000_000_000L;
            while (got.size() < 18 && System.nanoTime() < end) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(Json.read(r.value(), VibrationWindow.class));
                    assertEquals(new String(r.key(), StandardCharsets.UTF_8), got.get(got.size() - 1).machine);
                }
            }
        }
        assertEquals(18, got.size());
        assertTrue(got.stream().allMatch(w -> w.channelCount() == 2 && w.length() == 200 && w.sampleRateHz == 1000
                && w.fleet.equals("gearbox")));
        assertEquals(9, got.stream().filter(w -> "broken_tooth".equals(w.label) && w.machine.equals("r2")).count());
    }

    private static String latestCheckpoint(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint under " + dir))
                    .toString();
        }
    }
}
