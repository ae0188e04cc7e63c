package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.WindowFormat;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gearbox job's graph ({@link GearboxJob#wire}) on Flink's mini cluster with an in-memory source and collected
 * outputs, no broker: every good window gets one prediction, bad records become dead letters with a reason, and a
 * machine that keeps looking broken raises an alert.
 */
class GearboxJobGraphTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final int LENGTH = 256;

    @Test
    void windowsBecomePredictionsAlertsAndDeadLetters() throws Exception {
        TandemConfig config = TandemConfig.defaults("gearbox.classes=healthy,broken", "gearbox.healthy-class=healthy",
                "gearbox.batch=4", "compute.backend=java", "job.parallelism=1", "alert.k=2", "alert.confidence=0.0");
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            boolean broken = i % 2 == 1;
            VibrationWindow w = window(1_000L * (i + 1), broken ? "m-broken" : "m-ok", broken ? "broken" : "healthy", i);
            records.add(raw(i, w.time, WindowFormat.JSON.encode(w)));
        }
        records.add(raw(24, 30_000, "{not json".getBytes(StandardCharsets.UTF_8)));
        records.add(raw(25, 31_000, "{\"time\":31000,\"machine\":\"m1\",\"fleet\":\"demo\",\"sample_rate_hz\":1000,\"channels\":[]}"
                .getBytes(StandardCharsets.UTF_8)));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // no watermarks on the raw records: the graph takes event time from validated windows only
        DataStream<RawRecord> raw = env.fromData(records, TypeInformation.of(RawRecord.class));
        GearboxJob.Outputs out = GearboxJob.wire(raw, config, new GearboxCnnFactory());
        CloseableIterator<Prediction> predictions = out.predictions().collectAsync();
        CloseableIterator<Alert> alerts = out.alerts().collectAsync();
        CloseableIterator<DeadLetter> dead = out.deadLetters().collectAsync();
        env.execute("gearbox-graph");

        List<Prediction> p = drain(predictions);
        List<Alert> a = drain(alerts);
        List<DeadLetter> d = drain(dead);
        assertEquals(24, p.size(), "one prediction per good window");
        assertTrue(p.get(p.size() - 1).modelVersion >= 5, "the fleet model trained: " + p.get(p.size() - 1).modelVersion);
        assertEquals(2, d.size(), "one dead letter per bad record: " + d);
        for (DeadLetter x : d) {
            assertTrue(x.reason != null && !x.reason.isBlank(), "a reason: " + x);
            assertEquals("gearbox-windows", x.topic);
        }
        assertTrue(a.stream().anyMatch(x -> x.kind.equals("RAISED") && x.machine.equals("m-broken")),
                "the broken machine raised an alert: " + a);
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

    /** Two channels: a tone, plus impulses when broken. */
    private static VibrationWindow window(long time, String machine, String label, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] ch = new float[2][LENGTH];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < LENGTH; i++) {
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
