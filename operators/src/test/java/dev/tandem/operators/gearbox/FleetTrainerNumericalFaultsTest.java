package dev.tandem.operators.gearbox;

import dev.tandem.learning.optim.GradientClipping;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.MetricCapture;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numerical faults past validation on the fleet trainer's harness: poisoned windows leave the model unchanged and
 * are counted (state and the {@code skippedUpdates} counter); the K-th in a row is one {@code numerical:} dead letter;
 * good windows go on training; the counts survive a checkpoint.
 */
class FleetTrainerNumericalFaultsTest {
    static final int K = 3;
    static final FleetSettings SETTINGS = FleetTrainerFunctionTest.SETTINGS
            .withGuard(new TrainingGuard(GradientClipping.OFF, K));

    static KeyedOneInputStreamOperatorTestHarness<String, VibrationWindow, Prediction> harness(MetricCapture metrics)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FleetTrainerFunction(SETTINGS, new GearboxCnnFactory())),
                (VibrationWindow w) -> w.fleet, Types.STRING, metrics.environment());
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, FleetTrainerNumericalFaultsTest.class.getClassLoader());
        return h;
    }

    /** Labelled windows of the test stream with one sample set to NaN, +∞ or −∞ in turn. */
    static List<VibrationWindow> poisoned(int n, long seed) {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        List<VibrationWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            VibrationWindow w = TestWindows.window(9000L + i, "m1", "demo", "broken", "broken", 2,
                    FleetTrainerFunctionTest.LENGTH, seed + i);
            w.channels[i % 2][17 + i] = bad[i % 3];
            out.add(w);
        }
        return out;
    }

    private static List<DeadLetter> dead(KeyedOneInputStreamOperatorTestHarness<String, VibrationWindow, Prediction> h) {
        var side = h.getSideOutput(FleetTrainerFunction.MISFITS);
        return side == null ? List.of() : side.stream().map(r -> r.getValue()).toList();
    }

    @Test
    void poisonedWindowsAreSkippedCountedAndReportedAfterKInARowWithoutStoppingTheJob() throws Exception {
        MetricCapture metrics = new MetricCapture();
        OperatorSubtaskState snapshot;
        try (var h = harness(metrics)) {
            h.open();
            List<Prediction> warm = FleetTrainerFunctionTest.feed(h, FleetTrainerFunctionTest.stream(10, 1));
            Prediction before = warm.get(warm.size() - 1);
            assertTrue(before.modelVersion >= 1, "trained before the faults");

            List<Prediction> bad = FleetTrainerFunctionTest.feed(h, poisoned(K - 1, 50));
            assertEquals(K - 1, bad.size(), "poisoned windows are still predicted");
            assertEquals(K - 1, metrics.counter("skippedUpdates"));
            assertEquals(0, dead(h).size(), "fewer than K in a row: no report yet");

            List<Prediction> probe = FleetTrainerFunctionTest.feed(h, poisoned(1, 60));
            assertEquals(before.modelVersion, probe.get(0).modelVersion, "no update applied");
            assertEquals(before.modelHash, probe.get(0).modelHash, "weights bit for bit");
            assertEquals(K, metrics.counter("skippedUpdates"));
            List<DeadLetter> reports = dead(h);
            assertEquals(1, reports.size(), "the K-th fault in a row is reported once");
            DeadLetter d = reports.get(0);
            assertEquals("trainer", d.topic);
            assertTrue(d.reason.startsWith("numerical: non-finite input: " + K + " consecutive skipped updates of fleet 'demo' ("
                    + K + " in all)"), d.reason);
            assertTrue(d.raw.contains("fleet=demo"), d.raw);

            FleetTrainerFunctionTest.feed(h, poisoned(K - 1, 70));
            assertEquals(1, dead(h).size(), "the next report is due at 2K in a row");
            snapshot = h.snapshot(1L, 1L);
        }
        // restored from the checkpoint, the run of faults continues: one more makes 2K in a row
        MetricCapture again = new MetricCapture();
        try (var h = harness(again)) {
            h.initializeState(snapshot);
            h.open();
            FleetTrainerFunctionTest.feed(h, poisoned(1, 80));
            List<DeadLetter> reports = dead(h);
            assertEquals(1, reports.size());
            assertTrue(reports.get(0).reason.contains(2 * K + " consecutive skipped updates of fleet 'demo' ("
                    + 2 * K + " in all)"), reports.get(0).reason);
            // good windows end the run and training goes on
            List<Prediction> good = FleetTrainerFunctionTest.feed(h, FleetTrainerFunctionTest.stream(12, 200));
            assertTrue(good.get(good.size() - 1).modelVersion > good.get(0).modelVersion, "it kept learning");
            assertEquals(1, again.counter("skippedUpdates"));
        }
    }
}
