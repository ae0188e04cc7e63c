package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.al.AlPipeline;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.gearbox.AlGearboxArchitecture;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.WindowFormat;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gearbox job with {@code gearbox.training.mode = associated}: the same records in and out as backprop mode,
 * the fleet model trained by AL stage operators (each its own task), predictions carrying encoder and decoder
 * versions, misfits as dead letters; and the AL keys checked at start-up.
 */
class GearboxJobAssociatedTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final int LENGTH = 1024;

    static TandemConfig config(String... more) {
        List<String> s = new ArrayList<>(List.of("gearbox.classes=healthy,broken", "gearbox.healthy-class=healthy",
                "gearbox.batch=4", "compute.backend=java", "job.parallelism=1", "alert.k=2", "alert.confidence=0.0",
                "gearbox.training.mode=associated", "gearbox.al.components=2", "gearbox.al.snapshot-every=2",
                "gearbox.al.slot-groups=2"));
        s.addAll(List.of(more));
        return TandemConfig.defaults(s.toArray(new String[0]));
    }

    @Test
    void associatedModeTrainsThroughStagesAndKeepsTheRecords() throws Exception {
        TandemConfig config = config();
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            boolean broken = i % 2 == 1;
            VibrationWindow w = window(1_000L * (i + 1), broken ? "m-broken" : "m-ok", broken ? "broken" : "healthy",
                    LENGTH, i);
            records.add(raw(i, w.time, WindowFormat.JSON.encode(w)));
        }
        records.add(raw(24, 30_000, "{not json".getBytes(StandardCharsets.UTF_8)));
        records.add(raw(25, 31_000, WindowFormat.JSON.encode(window(31_000, "m-ok", "healthy", 512, 99))));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // no watermarks on the raw records: the graph takes event time from validated windows only
        DataStream<RawRecord> raw = env.fromData(records, TypeInformation.of(RawRecord.class));
        GearboxJob.Outputs out = GearboxJob.wire(raw, config, new GearboxCnnFactory());
        CloseableIterator<Prediction> predictions = out.predictions().collectAsync();
        CloseableIterator<Alert> alerts = out.alerts().collectAsync();
        CloseableIterator<DeadLetter> dead = out.deadLetters().collectAsync();
        env.execute("gearbox-associated");

        List<Prediction> p = drain(predictions);
        List<DeadLetter> d = drain(dead);
        drain(alerts);
        assertEquals(24, p.size(), "one prediction per good window");
        p.sort(java.util.Comparator.comparingLong(x -> x.time));
        for (int i = 0; i < p.size(); i++) {
            Prediction x = p.get(i);
            assertEquals(2, x.encoderVersions.length);
            assertEquals(i / 4, x.modelVersion, "window " + i + " was predicted before the batch it completes");
            assertEquals(i / 4, x.encoderVersions[1], "and stage 2 had trained on as many batches");
            assertEquals("al", x.stage);
            assertEquals(1.0, x.probabilities[0] + x.probabilities[1], 1e-5);
            assertTrue(x.decoderVersions[0] % 2 == 0 && x.decoderVersions[0] <= 6, "published versions: " + x);
        }
        assertEquals(2, d.size(), "the bad record and the misfit: " + d);
        assertTrue(d.stream().anyMatch(x -> x.reason.contains("differs from fleet 'demo' model's 2x1024")), d.toString());

        StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment();
        GearboxJob.Outputs graph = GearboxJob.wire(env2.fromData(records, TypeInformation.of(RawRecord.class)), config,
                new GearboxCnnFactory());
        graph.predictions().print();
        List<String> names = new ArrayList<>();
        for (JobVertex v : env2.getStreamGraph().getJobGraph().getVertices()) {
            names.add(v.getName());
        }
        for (int l = 0; l < 2; l++) {
            String stage = AlPipeline.stageName(l);
            assertEquals(1, names.stream().filter(n -> n.equals(stage)).count(), stage + " is its own task: " + names);
        }
    }

    @Test
    void alKeysAreCheckedAtStartUp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config("gearbox.al.components=7"));
        assertTrue(e.getMessage().contains("gearbox.al.components") && e.getMessage().contains("[1, 6]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config("gearbox.decision.algorithm=svm"));
        assertTrue(e.getMessage().contains("gearbox.decision.algorithm") && e.getMessage().contains("none"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config("gearbox.al.optimizer=rmsprop"));
        assertTrue(e.getMessage().contains("gearbox.al.optimizer") && e.getMessage().contains("adam+n-laaf"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config("gearbox.training.mode=both"));
        assertTrue(e.getMessage().contains("backprop, associated"), e.getMessage());
        for (String bad : new String[] {"1,1,1,3", "3,2", "0,6", "x,5"}) { // L = 2: two groups summing to 6
            e = assertThrows(IllegalArgumentException.class, () -> config("gearbox.al.blocks=" + bad));
            assertTrue(e.getMessage().contains("gearbox.al.blocks") && e.getMessage().contains("'" + bad + "'")
                    && e.getMessage().contains("2 positive integers") && e.getMessage().contains("1,5"), e.getMessage());
        }
    }

    @Test
    void alBlocksCutTheNetworkAsGiven() {
        int[] even = ((AlGearboxArchitecture) config().alFleetSettings().stageSettings().architecture()).groups();
        assertArrayEquals(new int[] {3, 3}, even);
        int[] given = ((AlGearboxArchitecture) config("gearbox.al.blocks=1, 5").alFleetSettings().stageSettings()
                .architecture()).groups();
        assertArrayEquals(new int[] {1, 5}, given);
    }

    private static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static RawRecord raw(int offset, long time, byte[] value) {
        return new RawRecord("gearbox-windows", 0, offset, time, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    private static VibrationWindow window(long time, String machine, String label, int length, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] ch = new float[2][length];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < length; i++) {
                double v = Math.sin(2 * Math.PI * i / 25.0 + c) + 0.2 * rng.nextGaussian();
                if (label.equals("broken") && i % 32 < 2) {
                    v += 4;
                }
                ch[c][i] = (float) v;
            }
        }
        return new VibrationWindow(time, machine, "demo", 1000, ch, label);
    }
}
