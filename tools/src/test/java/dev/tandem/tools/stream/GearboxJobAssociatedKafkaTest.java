package dev.tandem.tools.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.learning.al.AlComponent;
import dev.tandem.learning.al.AlInference;
import dev.tandem.learning.al.AlModel;
import dev.tandem.learning.al.AlOptimizers;
import dev.tandem.learning.al.AlTrainer;
import dev.tandem.learning.al.ComponentState;
import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.models.gearbox.Windowing;
import dev.tandem.operators.al.AlStageSettings;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.AlFleetSettings;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.WindowProducer;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gearbox job in associated mode against a real broker, exactly-once across a restart: the job is cancelled
 * after a checkpoint, restored from it with more windows, and every window has exactly one committed prediction;
 * each prediction equals what the synchronous single-process AL model gives with the versions it reports (f_l and
 * b_L after as many batches as its encoder versions, h_l at its decoder versions), so the restored stages continued
 * from exactly the checkpointed parameters.
 */
class GearboxJobAssociatedKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static KafkaClusterTestKit kafka;
    private static final int CHANNELS = 2;
    private static final int LENGTH = 1024;

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
                "gearbox.training.mode=associated",
                "gearbox.al.components=2",
                "gearbox.al.snapshot-every=2",
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=400",
                "job.transactional-id-prefix=" + prefix,
                "job.source-idle-timeout-ms=0");
    }

    private static List<VibrationWindow> windows(int n, long t0) {
        GearboxSimulator sim = new GearboxSimulator("demo", CHANNELS, LENGTH, GearboxSimulator.DEFAULT_RATE, 7);
        List<VibrationWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String machine = "m" + (1 + i % 3);
            boolean broken = machine.equals("m2");
            out.add(sim.window(machine, t0 + 100L * i, broken, i % 4 == 3 ? null : broken ? "broken_tooth" : "healthy"));
        }
        return out;
    }

    @Test
    void restartFromACheckpointContinuesTheStagesAndRepeatsNoOutput(@TempDir Path tmp) throws Exception {
        TandemConfig c = config("al-restart");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(c.string("topics.gearbox-windows"), 1, (short) 1),
                    new NewTopic(c.string("topics.gearbox-predictions"), 1, (short) 1),
                    new NewTopic(c.string("topics.gearbox-alerts"), 1, (short) 1),
                    new NewTopic(c.string("topics.dead-letters"), 1, (short) 1))).all().get();
        }
        List<VibrationWindow> first = windows(30, 1_700_000_000_000L);
        List<VibrationWindow> second = windows(20, 1_700_000_100_000L);
        List<Prediction> out = Collections.synchronizedList(new ArrayList<>());
        try (CommittedReader r = new CommittedReader(kafka.bootstrapServers(), List.of(c.string("topics.gearbox-predictions")),
                (topic, value) -> {
                    try {
                        out.add(Json.read(value, Prediction.class));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })) {
            produce(c, first);
            JobClient job = env(c, tmp, null).executeAsync("al-restart-1");
            try {
                assertTrue(r.await(() -> out.size() >= first.size(), Duration.ofSeconds(90)),
                        () -> "phase 1 predictions " + out.size() + TestLogs.tail(80));
                Thread.sleep(1200); // a checkpoint after the last window
            } finally {
                job.cancel().get();
            }
            String checkpoint = latestCheckpoint(tmp);
            produce(c, second);
            JobClient resumed = env(c, tmp, checkpoint).executeAsync("al-restart-2");
            try {
                assertTrue(r.await(() -> out.size() >= first.size() + second.size(), Duration.ofSeconds(90)),
                        () -> "phase 2 predictions " + out.size() + TestLogs.tail(80));
                Thread.sleep(1200);
            } finally {
                resumed.cancel().get();
            }
        }
        assertEquals(first.size() + second.size(), out.size(), "exactly one committed prediction per window");
        Map<String, Prediction> byWindow = new HashMap<>();
        for (Prediction x : out) {
            assertEquals(null, byWindow.put(x.machine + "@" + x.time, x), "duplicate " + x);
        }
        Reference ref = new Reference(c.alFleetSettings());
        List<VibrationWindow> all = Stream.concat(first.stream(), second.stream()).toList();
        for (VibrationWindow w : all) {
            ref.observe(w); // decoders may be newer than the encoders a window met: keep every step's state first
        }
        int batches = 0;
        int pending = 0;
        for (VibrationWindow w : all) {
            Prediction got = byWindow.get(w.machine + "@" + w.time);
            assertArrayEquals(new long[] {batches, batches}, got.encoderVersions, "encoders at " + w.time);
            assertArrayEquals(ref.probabilities(w, got.encoderVersions[0], got.decoderVersions), got.probabilities,
                    1e-6f, "window at " + w.time + " with decoders " + java.util.Arrays.toString(got.decoderVersions));
            if (w.label != null && ++pending == 4) {
                pending = 0;
                batches++;
            }
        }
        assertTrue(byWindow.get(second.get(0).machine + "@" + second.get(0).time).modelVersion >= 5,
                "the resumed job started from the checkpointed stages");
    }

    /** The synchronous AL model on the same labelled windows, its component states kept after every batch. */
    private static final class Reference {
        final AlFleetSettings settings;
        final AlStageSettings stages;
        final AlModel model;
        final AlTrainer trainer;
        final AlOptimizers optimizers;
        final List<byte[][]> states = new ArrayList<>();
        final float[] x;
        final float[] y;
        int count;

        Reference(AlFleetSettings s) {
            settings = s;
            stages = s.stageSettings();
            optimizers = stages.optimizers().build();
            model = AlModel.create(stages.architecture(new int[] {CHANNELS, LENGTH}), new JavaBackend(), stages.dtype(),
                    stages.seed(), optimizers);
            trainer = new AlTrainer(model);
            x = new float[s.batch() * CHANNELS * LENGTH];
            y = new float[s.batch() * s.classes().size()];
            keep();
        }

        void keep() {
            byte[][] b = new byte[model.depth()][];
            for (int l = 0; l < b.length; l++) {
                b[l] = ComponentState.toBytes(model.component(l));
            }
            states.add(b);
        }

        static float[] input(VibrationWindow w) {
            float[] in = w.samples();
            Windowing.normalise(in, 0, CHANNELS, LENGTH);
            return in;
        }

        void observe(VibrationWindow w) {
            if (w.label == null) {
                return;
            }
            float[] in = input(w);
            System.arraycopy(in, 0, x, count * in.length, in.length);
            java.util.Arrays.fill(y, count * 2, count * 2 + 2, 0f);
            y[count * 2 + settings.classes().indexOf(w.label)] = 1f;
            if (++count == settings.batch()) {
                trainer.trainBatch(x, y, count);
                count = 0;
                keep();
            }
        }

        AlComponent at(long step, int l) throws IOException {
            return ComponentState.fromBytes(states.get((int) step)[l], new JavaBackend(), optimizers);
        }

        float[] probabilities(VibrationWindow w, long encoders, long[] decoders) throws IOException {
            List<Sequential> f = new ArrayList<>();
            List<Sequential> h = new ArrayList<>();
            Sequential bridge = null;
            for (int l = 0; l < model.depth(); l++) {
                AlComponent c = at(encoders, l);
                f.add(c.encoder());
                bridge = c.bridge();
                h.add(at(decoders[l], l).labelDecoder());
            }
            float[] logits = new AlInference(f, bridge, h).predictScores(input(w), 1);
            double max = Math.max(logits[0], logits[1]);
            double a = Math.exp(logits[0] - max);
            double b = Math.exp(logits[1] - max);
            return new float[] {(float) (a / (a + b)), (float) (b / (a + b))};
        }
    }

    private static void produce(TandemConfig c, List<VibrationWindow> windows) {
        try (WindowProducer p = new WindowProducer(kafka.bootstrapServers(), c.string("topics.gearbox-windows"), c.windowFormat())) {
            for (VibrationWindow w : windows) {
                p.send(w);
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
