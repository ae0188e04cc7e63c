package dev.tandem.operators.gearbox;

import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.models.gearbox.DecisionPolicy;
import dev.tandem.models.gearbox.GearboxCnnFactory;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.models.decision.DecisionSettings;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fleet trainer with a decision stage: prequential order, freeze and unfreeze, state round trip. */
class DecisionStageTrainerTest {
    static final FleetSettings SETTINGS = FleetTrainerFunctionTest.SETTINGS;
    static final int LENGTH = FleetTrainerFunctionTest.LENGTH;

    static DecisionPolicy policy(String algorithm) {
        DecisionSettings d = new DecisionSettings(algorithm, 200, "probabilities", 3, 10, 0, 20, 16, 0.02, 8, 4);
        return new DecisionPolicy(d, true, 20, 0.9, 0.6);
    }

    /** All labelled; with swap, every window carries the other class's label (a drift of the labelling). */
    static List<VibrationWindow> stream(int n, long seed, boolean swap) {
        List<VibrationWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String kind = (i / 2) % 2 == 0 ? "healthy" : "broken";
            String label = swap ? (kind.equals("healthy") ? "broken" : "healthy") : kind;
            out.add(TestWindows.window(1000L + seed * 10_000 + i, "m" + (i % 3), "demo", kind, label, 2, LENGTH,
                    seed * 100_000 + i));
        }
        return out;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, VibrationWindow, Prediction> harness(DecisionPolicy p)
            throws Exception {
        return FleetTrainerFunctionTest.harness(new FleetTrainerFunction(SETTINGS, p, new GearboxCnnFactory()));
    }

    static List<Prediction> feed(KeyedOneInputStreamOperatorTestHarness<String, VibrationWindow, Prediction> h,
            List<VibrationWindow> windows) throws Exception {
        return FleetTrainerFunctionTest.feed(h, windows);
    }

    @ParameterizedTest
    @ValueSource(strings = {"svm", "mlp"})
    void theDecisionStageDecidesEveryWindowBeforeLearningFromIt(String algorithm) throws Exception {
        FleetLearner learner = new FleetLearner(SETTINGS, policy(algorithm), new JavaBackend(), new GearboxCnnFactory());
        FleetStateSerializer serializer = new FleetStateSerializer("java");
        List<VibrationWindow> windows = stream(80, 1, false);
        FleetState m = FleetTrainerFunction.create(learner, windows.get(0));
        int decidedByStage = 0;
        for (VibrationWindow w : windows) {
            FleetState before = serializer.copy(m); // the state before this window
            long stageVersion = m.decision.version();
            Prediction p = FleetTrainerFunction.observe(learner, m, w);
            int expected = before.decision.decide(p.probabilities);
            String stage = expected >= 0 ? algorithm : "base";
            assertEquals(stage, p.stage, "window " + w.time);
            if (expected >= 0) {
                decidedByStage++;
                assertEquals(SETTINGS.classes().get(expected), p.decision, "decided by the state before learning");
            }
            assertEquals(stageVersion, p.decisionVersion, "the prediction carries the version that made it");
            assertEquals(before.decision.reservoir().seen() + 1, m.decision.reservoir().seen(),
                    "the labelled window reached the stage only after its decision");
        }
        assertTrue(decidedByStage > 30, "the stage decided " + decidedByStage + " of 80 windows");
    }

    @ParameterizedTest
    @ValueSource(strings = {"svm", "mlp"})
    void theBaseNetworkFreezesWhenTheStageIsAccurateAndTrainsAgainAfterDrift(String algorithm) throws Exception {
        try (var h = harness(policy(algorithm))) {
            h.open();
            List<Prediction> out = feed(h, stream(400, 2, false));
            int first = -1;
            for (int i = 0; i < out.size(); i++) {
                if (Boolean.TRUE.equals(out.get(i).baseFrozen)) {
                    first = i;
                    break;
                }
            }
            assertTrue(first > 0, "the base network froze within 400 windows");
            Prediction frozenAt = out.get(first);
            Prediction last = out.get(out.size() - 1);
            assertTrue(last.baseFrozen, "still frozen: the stage stays accurate on the same process");
            assertEquals(frozenAt.modelVersion, last.modelVersion, "no base step while frozen");
            assertEquals(frozenAt.modelHash, last.modelHash, "the base weights did not change while frozen");
            assertTrue(last.decisionVersion > frozenAt.decisionVersion, "the decision stage kept learning");
            assertEquals(algorithm, last.stage);

            // drift: the labels swap; the stage's recent accuracy collapses and the base network trains again
            List<Prediction> drift = feed(h, stream(120, 3, true));
            int thawed = -1;
            for (int i = 0; i < drift.size(); i++) {
                if (Boolean.FALSE.equals(drift.get(i).baseFrozen)) {
                    thawed = i;
                    break;
                }
            }
            assertTrue(thawed > 0, "unfrozen after the drift");
            assertTrue(thawed <= 21, "within one freeze window of wrong decisions, at " + thawed);
            assertTrue(drift.get(drift.size() - 1).modelVersion > last.modelVersion, "the base network trained again");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"svm", "mlp"})
    void stateRoundTripWithTheDecisionStageContinuesExactly(String algorithm) throws Exception {
        List<VibrationWindow> first = stream(150, 4, false);
        List<VibrationWindow> second = stream(60, 5, false);
        List<Prediction> uninterrupted;
        try (var h = harness(policy(algorithm))) {
            h.open();
            feed(h, first);
            uninterrupted = feed(h, second);
        }
        OperatorSubtaskState snapshot;
        try (var h = harness(policy(algorithm))) {
            h.open();
            feed(h, first);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(policy(algorithm))) {
            h.initializeState(snapshot);
            h.open();
            List<Prediction> resumed = feed(h, second);
            assertEquals(uninterrupted, resumed, "identical decisions, stages, versions and freeze state");
            assertNotNull(resumed.get(0).decisionVersion);
            assertTrue(resumed.get(0).decisionVersion > 0, "the restored stage was trained");
            assertEquals(algorithm, resumed.get(resumed.size() - 1).stage);
        }
    }

    @org.junit.jupiter.api.Test
    void stateOfTheFormerFormatsIsReadAsAFleetWithoutDecisionStageOrReferenceSpeed() throws Exception {
        FleetLearner plain = new FleetLearner(SETTINGS, new JavaBackend(), new GearboxCnnFactory());
        List<VibrationWindow> windows = stream(6, 6, false);
        FleetState m = FleetTrainerFunction.create(plain, windows.get(0));
        for (VibrationWindow w : windows) {
            FleetTrainerFunction.observe(plain, m, w);
        }
        FleetStateSerializer serializer = new FleetStateSerializer("java");
        byte[] v3 = serializer.toBytes(m);
        // format 3 = format 2 + the order-tracking reference speed (a double, NaN here: no window carried a speed)
        byte[] v2 = java.util.Arrays.copyOf(v3, v3.length - 8);
        v2[3] = 2; // the record format int, big-endian
        assertEquals(0, v2[v2.length - 1], "format 2 ends with 'no decision stage'");
        FleetState former = serializer.fromBytes(v2);
        assertEquals(m.hash(), former.hash());
        assertTrue(Double.isNaN(former.referenceRpm));
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 1);
        v1[3] = 1;
        FleetState old = serializer.fromBytes(v1);
        assertEquals(m.hash(), old.hash());
        assertEquals(null, old.decision);
        // a learner configured with a decision stage gives the restored fleet one and carries on
        FleetLearner withStage = new FleetLearner(SETTINGS, policy("svm"), new JavaBackend(), new GearboxCnnFactory());
        Prediction p = FleetTrainerFunction.observe(withStage, old, stream(1, 7, false).get(0));
        assertEquals("base", p.stage);
        assertNotNull(old.decision);
        assertEquals(1, old.decision.reservoir().seen());
    }

    @org.junit.jupiter.api.Test
    void aConfigurationWithoutDecisionStageDropsARestoredOneAndUnfreezes() {
        FleetLearner svm = new FleetLearner(SETTINGS, policy("svm"), new JavaBackend(), new GearboxCnnFactory());
        List<VibrationWindow> windows = stream(40, 8, false);
        FleetState m = FleetTrainerFunction.create(svm, windows.get(0));
        for (VibrationWindow w : windows) {
            FleetTrainerFunction.observe(svm, m, w);
        }
        m.frozen = true;
        FleetLearner none = new FleetLearner(SETTINGS, new JavaBackend(), new GearboxCnnFactory());
        long version = m.version;
        Prediction p = FleetTrainerFunction.observe(none, m, stream(1, 9, false).get(0));
        assertEquals("base", p.stage);
        assertEquals(null, p.decisionVersion);
        assertEquals(null, m.decision);
        assertEquals(false, m.frozen);
        assertEquals(version, p.modelVersion);
        FleetLearner mlp = new FleetLearner(SETTINGS, policy("mlp"), new JavaBackend(), new GearboxCnnFactory());
        FleetTrainerFunction.observe(mlp, m, stream(1, 10, false).get(0));
        assertEquals("mlp", m.decision.algorithm(), "another configured algorithm replaces the stage");
    }

    @org.junit.jupiter.api.Test
    void alertsCarryTheStageAndDecisionVersionOfThePredictionThatRaisedThem() throws Exception {
        FleetLearner learner = new FleetLearner(SETTINGS, policy("svm"), new JavaBackend(), new GearboxCnnFactory());
        List<VibrationWindow> windows = stream(200, 11, false);
        FleetState m = FleetTrainerFunction.create(learner, windows.get(0));
        List<Prediction> predictions = new ArrayList<>();
        for (VibrationWindow w : windows) {
            Prediction p = FleetTrainerFunction.observe(learner, m, w);
            p.machine = "m1"; // one machine, so that consecutive broken windows raise and healthy ones clear
            predictions.add(p);
        }
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(
                new AlertFunction(new AlertSettings(2, 0.0, 2, "healthy"), java.time.Duration.ZERO)),
                (Prediction p) -> p.machine, org.apache.flink.api.common.typeinfo.Types.STRING);
        try (h) {
            h.open();
            for (Prediction p : predictions) {
                h.processElement(new org.apache.flink.streaming.runtime.streamrecord.StreamRecord<>(p, p.time));
            }
            List<dev.tandem.operators.gearbox.Alert> alerts = h.extractOutputValues();
            assertTrue(alerts.stream().anyMatch(a -> "svm".equals(a.stage)), "an alert decided by the SVM: " + alerts);
            for (dev.tandem.operators.gearbox.Alert a : alerts) {
                Prediction deciding = predictions.stream().filter(p -> p.time == a.time).findFirst().orElseThrow();
                assertEquals(deciding.stage, a.stage);
                assertEquals(deciding.decisionVersion, a.decisionVersion);
                assertEquals(deciding.modelVersion, a.modelVersion);
            }
        }
    }
}
