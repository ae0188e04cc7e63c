package dev.tandem.operators.gearbox;

import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.models.gearbox.GearboxCnnFactory;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.operators.common.DeadLetter;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetTrainerFunctionTest {
    static final FleetSettings SETTINGS = new FleetSettings(List.of("healthy", "broken"), 4, "adam", 0.003, 0.9, 5L,
            true, "java");
    static final int LENGTH = 256;

    static List<VibrationWindow> stream(int n, long seed) {
        List<VibrationWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String kind = (i / 3) % 2 == 0 ? "healthy" : "broken";
            String label = i % 5 == 4 ? null : kind; // every fifth window unlabelled
            out.add(TestWindows.window(1000L + i, "m" + (i % 3), "demo", kind, label, 2, LENGTH, seed + i));
        }
        return out;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, VibrationWindow, Prediction> harness() throws Exception {
        return harness(new FleetTrainerFunction(SETTINGS, new GearboxCnnFactory()));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, VibrationWindow, Prediction> harness(
            FleetTrainerFunction function) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function),
                (VibrationWindow w) -> w.fleet, Types.STRING);
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, FleetTrainerFunctionTest.class.getClassLoader());
        return h;
    }

    static List<Prediction> feed(KeyedOneInputStreamOperatorTestHarness<String, VibrationWindow, Prediction> h,
            List<VibrationWindow> windows) throws Exception {
        int before = h.extractOutputValues().size();
        for (VibrationWindow w : windows) {
            h.processElement(new StreamRecord<>(w, w.time));
        }
        List<Prediction> all = h.extractOutputValues();
        return new ArrayList<>(all.subList(before, all.size()));
    }

    @Test
    void predictsEveryWindowBeforeLearningFromIt() throws Exception {
        List<VibrationWindow> windows = stream(12, 1);
        FleetLearner reference = new FleetLearner(SETTINGS, new JavaBackend(), new GearboxCnnFactory());
        FleetState fresh = FleetTrainerFunction.create(reference, windows.get(0));
        try (var h = harness()) {
            h.open();
            List<Prediction> out = feed(h, windows);
            assertEquals(windows.size(), out.size(), "one prediction per window, labelled or not");
            // the first 4 labelled windows (indices 0..3) fill the first batch: all 4 are predicted by version 0,
            // and window 3's prediction is made before the step it triggers.
            for (int i = 0; i <= 3; i++) {
                assertEquals(0, out.get(i).modelVersion, "window " + i);
                float[] p = FleetTrainerFunction.observe(reference, fresh, windows.get(i)).probabilities;
                assertArrayEquals(p, out.get(i).probabilities, "window " + i + " predicted by the untrained model");
            }
            assertEquals(1, out.get(4).modelVersion, "the step after the 4th labelled window");
            assertNotEquals(out.get(3).modelHash, out.get(4).modelHash, "learning changed the weights");
            assertEquals(2, out.get(9).modelVersion); // labelled windows 0-3, 5-8 → two steps
            assertEquals(windows.get(4).machine, out.get(4).machine);
            assertEquals(null, out.get(4).label);
            assertEquals("broken", out.get(5).label);
            for (Prediction p : out) {
                assertEquals(1.0, p.probabilities[0] + p.probabilities[1], 1e-5);
                assertEquals(p.decision, p.probabilities[0] >= p.probabilities[1] ? "healthy" : "broken");
            }
        }
    }

    @Test
    void stateRoundTripContinuesExactlyLikeAnUninterruptedRun() throws Exception {
        List<VibrationWindow> first = stream(10, 1); // ends with 2 labelled windows pending in the batch
        List<VibrationWindow> second = stream(10, 100);
        List<Prediction> uninterrupted;
        try (var h = harness()) {
            h.open();
            feed(h, first);
            uninterrupted = feed(h, second);
        }
        OperatorSubtaskState snapshot;
        Prediction lastBefore;
        try (var h = harness()) {
            h.open();
            List<Prediction> out = feed(h, first);
            lastBefore = out.get(out.size() - 1);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            List<Prediction> resumed = feed(h, second);
            assertEquals(lastBefore.modelVersion, resumed.get(0).modelVersion, "same model version after restore");
            assertEquals(lastBefore.modelHash, resumed.get(0).modelHash, "same weights after restore");
            assertEquals(uninterrupted, resumed, "identical predictions, versions and weights");
            assertTrue(resumed.get(resumed.size() - 1).modelVersion > lastBefore.modelVersion, "it kept learning");
        }
    }

    @Test
    void aWindowThatDoesNotFitTheFleetModelIsADeadLetter() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, stream(2, 1));
            VibrationWindow other = TestWindows.window(5000L, "m9", "demo", "healthy", "healthy", 3, LENGTH, 9);
            feed(h, List.of(other));
            assertEquals(2, h.extractOutputValues().size());
            List<DeadLetter> dead = h.getSideOutput(FleetTrainerFunction.MISFITS).stream().map(r -> r.getValue()).toList();
            assertEquals(1, dead.size());
            assertTrue(dead.get(0).reason.contains("window shape 3x256 differs"), dead.get(0).reason);
        }
    }
}
