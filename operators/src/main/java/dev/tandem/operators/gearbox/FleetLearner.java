package dev.tandem.operators.gearbox;

import dev.tandem.models.gearbox.Windowing;
import dev.tandem.models.decision.DecisionStage;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.train.ClassifierTrainer;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Prequential learning for one fleet, free of Flink: {@link #observe} first predicts the window with the current
 * model, then — when the window is labelled — adds it to the pending mini-batch and takes one optimizer step when
 * the batch is full (the model version counts those steps). The Flink operator {@link ClassifierTrainerFunction}
 * keeps a {@link FleetModel} per fleet and calls this; tests and offline tools can call it directly.
 */
public final class FleetLearner {
    private final TrainerSettings settings;
    private final Backend backend;
    private final ModelFactory factory;
    private final Optimizer optimizer;
    private final String[] classes;
    private final DecisionPolicy policy;
    private final Map<FleetModel, ClassifierTrainer> trainers = new IdentityHashMap<>();

    public FleetLearner(TrainerSettings settings, Backend backend, ModelFactory factory) {
        this(settings, DecisionPolicy.NONE, backend, factory);
    }

    public FleetLearner(TrainerSettings settings, DecisionPolicy policy, Backend backend, ModelFactory factory) {
        this.settings = settings;
        this.policy = policy;
        this.backend = backend;
        this.factory = factory;
        this.optimizer = settings.buildOptimizer();
        this.classes = settings.classes().toArray(new String[0]);
    }

    /** A new model for a fleet whose first window is w. */
    public FleetModel create(VibrationWindow w) {
        Sequential model = factory.build(backend, w.channelCount(), w.length(), classes.length, settings.seed());
        FleetModel m = new FleetModel(model, optimizer.init(model.params()), classes, settings.batch());
        attachDecision(m);
        return m;
    }

    /**
     * Gives a fleet model the configured decision stage when it has none (new, or restored from older state) or one
     * of another algorithm; without one configured, a restored stage is dropped and the base network unfrozen.
     */
    private void attachDecision(FleetModel m) {
        if (!policy.enabled()) {
            m.decision = null;
            m.recent = null;
            m.frozen = false;
        } else if (m.decision == null || !m.decision.algorithm().equals(policy.decision().algorithm())) {
            m.decision = DecisionStage.create(policy.decision(), m.classes.length, backend);
            m.recent = new RecentAccuracy(policy.window());
            m.frozen = false;
        }
    }

    /** Null when the window fits the fleet's model, else why it does not. */
    public String mismatch(FleetModel m, VibrationWindow w) {
        if (w.channelCount() != m.channels() || w.length() != m.length()) {
            return "window shape " + w.channelCount() + "x" + w.length() + " differs from fleet '" + w.fleet
                    + "' model's " + m.channels() + "x" + m.length();
        }
        if (m.classes.length != classes.length || !java.util.Arrays.equals(m.classes, classes)) {
            return "fleet model classes " + String.join(",", m.classes) + " differ from configured "
                    + String.join(",", classes);
        }
        return null;
    }

    /**
     * Predicts w, then learns from it when labelled; returns the prediction (made before learning). With a decision
     * stage that is ready, the decision is decide(p(x)) instead of argmax p(x); the stage learns from (p(x), label)
     * only after that decision. The base network learns unless the freeze policy has frozen it.
     */
    public Prediction observe(FleetModel m, VibrationWindow w) {
        attachDecision(m);
        ClassifierTrainer trainer = trainer(m);
        float[] x = input(w);
        float[] p = trainer.predictProbabilities(x, 1);
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        int decided = m.decision == null ? -1 : m.decision.decide(p);
        int chosen = decided >= 0 ? decided : best;
        Prediction out = new Prediction();
        out.time = w.time;
        out.machine = w.machine;
        out.fleet = w.fleet;
        out.classes = m.classes.clone();
        out.probabilities = p.clone();
        out.decision = m.classes[chosen];
        out.confidence = p[chosen];
        out.label = w.label;
        out.modelVersion = m.version;
        out.modelHash = m.hash();
        out.stage = decided >= 0 ? m.decision.algorithm() : "base";
        if (m.decision != null) {
            out.decisionVersion = m.decision.version();
            out.baseFrozen = m.frozen;
        }
        m.windows++;
        if (w.label != null) {
            int y = indexOf(m.classes, w.label);
            m.labelled++;
            if (y == chosen) {
                m.correct++;
            }
            if (m.decision != null) {
                if (decided >= 0) {
                    m.recent.add(decided == y);
                }
                m.decision.learn(p, y); // after its decision on this window
                applyFreezePolicy(m);
            }
            if (!m.frozen) {
                m.ensureBatch(settings.batch());
                System.arraycopy(x, 0, m.pendingInputs, m.pendingCount * x.length, x.length);
                m.pendingLabels[m.pendingCount++] = y;
                if (m.pendingCount >= settings.batch()) {
                    m.lastLoss = trainer.trainBatch(m.pendingInputs, m.pendingLabels, m.pendingCount);
                    m.pendingCount = 0;
                    m.version++;
                }
            }
        }
        return out;
    }

    /**
     * Freezes the base network when the decision stage's accuracy over the last window of its decisions reaches
     * the target (the pending mini-batch is dropped), unfreezes it when that accuracy falls below the lower bound.
     */
    private void applyFreezePolicy(FleetModel m) {
        if (!policy.freeze()) {
            m.frozen = false; // a fleet restored frozen under a configuration without freezing
            return;
        }
        if (!m.recent.full()) {
            return;
        }
        double a = m.recent.accuracy();
        if (!m.frozen && a >= policy.freezeAt()) {
            m.frozen = true;
            m.freezes++;
            m.pendingCount = 0;
        } else if (m.frozen && a < policy.unfreezeBelow()) {
            m.frozen = false;
            m.unfreezes++;
        }
    }

    public DecisionPolicy policy() {
        return policy;
    }

    /** The model input of a window: channel-major [C, N], normalised per channel when configured. */
    public float[] input(VibrationWindow w) {
        int c = w.channelCount();
        int n = w.length();
        float[] x = new float[c * n];
        for (int i = 0; i < c; i++) {
            System.arraycopy(w.channels[i], 0, x, i * n, n);
        }
        if (settings.normalize()) {
            Windowing.normalise(x, 0, c, n);
        }
        return x;
    }

    /** Forgets the trainer wrapped around a model (the state holding it was replaced or expired). */
    public void forget(FleetModel m) {
        trainers.remove(m);
    }

    private ClassifierTrainer trainer(FleetModel m) {
        ClassifierTrainer t = trainers.get(m);
        if (t == null) {
            if (trainers.size() > 1024) {
                trainers.clear();
            }
            t = new ClassifierTrainer(m.model, optimizer, m.optimizerState);
            trainers.put(m, t);
        }
        return t;
    }

    private static int indexOf(String[] classes, String label) {
        for (int i = 0; i < classes.length; i++) {
            if (classes[i].equals(label)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown label '" + label + "'");
    }

    public TrainerSettings settings() {
        return settings;
    }

    public Backend backend() {
        return backend;
    }
}
