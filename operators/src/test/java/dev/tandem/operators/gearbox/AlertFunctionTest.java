package dev.tandem.operators.gearbox;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertFunctionTest {
    private static final int K = 3;
    private static final AlertSettings SETTINGS = new AlertSettings(K, 0.8, 2, "healthy");
    private long time;

    private Prediction p(String machine, String decision, float confidence) {
        Prediction p = new Prediction();
        p.time = ++time;
        p.machine = machine;
        p.fleet = "demo";
        p.classes = new String[] {"healthy", "broken"};
        p.decision = decision;
        p.confidence = confidence;
        p.probabilities = decision.equals("healthy") ? new float[] {confidence, 1 - confidence} : new float[] {1 - confidence, confidence};
        p.modelVersion = 7;
        return p;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Prediction, Alert> harness() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Prediction, Alert> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertFunction(SETTINGS, Duration.ofHours(1))), p -> p.machine, Types.STRING);
        h.getExecutionConfig().getSerializerConfig();
        return h;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, Prediction, Alert> h, Prediction p) throws Exception {
        h.processElement(new StreamRecord<>(p, p.time));
    }

    @Test
    void noAlertAfterKMinusOneFaultyWindowsAndOneOnTheKth() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < K - 1; i++) {
                feed(h, p("m1", "broken", 0.9f));
            }
            assertEquals(List.of(), h.extractOutputValues(), "no alert after k-1 faulty windows");
            feed(h, p("m1", "broken", 0.95f));
            List<Alert> alerts = h.extractOutputValues();
            assertEquals(1, alerts.size());
            Alert a = alerts.get(0);
            assertEquals(Alert.RAISED, a.kind);
            assertEquals("broken", a.fault);
            assertEquals("m1", a.machine);
            assertEquals(K, a.windows);
            assertEquals(3L, a.time, "raised at the k-th window");
            assertEquals((0.9f + 0.9f + 0.95f) / 3, a.confidence, 1e-6);
            assertEquals(7, a.modelVersion);
            feed(h, p("m1", "broken", 0.99f));
            assertEquals(1, h.extractOutputValues().size(), "a raised alert is not repeated");
        }
    }

    @Test
    void lowConfidenceOrHealthyWindowsRestartTheCountAndMachinesAreSeparate() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, p("m1", "broken", 0.9f));
            feed(h, p("m1", "broken", 0.9f));
            feed(h, p("m1", "broken", 0.5f)); // below τ
            feed(h, p("m1", "broken", 0.9f));
            feed(h, p("m2", "broken", 0.9f));
            feed(h, p("m1", "broken", 0.9f));
            feed(h, p("m1", "healthy", 0.9f));
            feed(h, p("m1", "broken", 0.9f));
            feed(h, p("m2", "broken", 0.9f));
            assertEquals(List.of(), h.extractOutputValues());
            feed(h, p("m2", "broken", 0.9f));
            assertEquals(1, h.extractOutputValues().size());
            assertEquals("m2", h.extractOutputValues().get(0).machine);
        }
    }

    @Test
    void clearedAfterRecoveryAndStateSurvivesASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < K; i++) {
                feed(h, p("m1", "broken", 0.9f));
            }
            feed(h, p("m1", "healthy", 0.7f));
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, p("m1", "broken", 0.9f)); // the healthy run restarts
            feed(h, p("m1", "healthy", 0.6f));
            assertEquals(List.of(), h.extractOutputValues());
            feed(h, p("m1", "healthy", 0.8f));
            List<Alert> alerts = h.extractOutputValues();
            assertEquals(1, alerts.size());
            assertEquals(Alert.CLEARED, alerts.get(0).kind);
            assertEquals("broken", alerts.get(0).fault);
            assertEquals(2, alerts.get(0).windows);
            for (int i = 0; i < K; i++) {
                feed(h, p("m1", "broken", 0.9f));
            }
            assertEquals(Alert.RAISED, h.extractOutputValues().get(1).kind, "a new fault is raised again");
            assertTrue(h.numKeyedStateEntries() >= 1);
        }
    }
}
