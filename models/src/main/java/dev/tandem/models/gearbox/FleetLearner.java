package dev.tandem.models.gearbox;

import dev.tandem.learning.io.ModelSeed;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.train.ClassifierTrainer;
import dev.tandem.models.decision.DecisionStage;

import java.util.Arrays;

/**
 * Prequential learning for one gearbox fleet, free of Flink: the one place where a fleet's window is predicted and
 * learned from. The streaming operator ({@code FleetTrainerFunction}) keeps a {@link FleetState} per fleet in keyed
 * state and calls {@link #observe}; the offline evaluation ({@code eval gearbox}, {@code eval decision}) feeds a
 * data set's windows through the same method, so both measure the same code.
 *
 * <p>{@link #observe} first predicts the window with the current model, then — when the window is labelled — adds
 * it to the pending mini-batch and takes one optimizer step when the batch is full (the model version counts those
 * steps that were applied). A labelled window with a non-finite sample is refused before the batch and a step the
 * {@link TrainingGuard} refuses leaves the model as it was; both are counted in {@link FleetState#faults}, and after
 * {@code training.max-consecutive-faults} of them in a row the state has a report due
 * ({@link dev.tandem.learning.optim.FaultCounter#takeReport}). With a decision stage ({@link DecisionPolicy}) the decision is the stage's once it is ready, the stage
 * learns from (p(x), label) after deciding, and the freeze policy may stop the base network's training.
 *
 * <p>The learner holds configuration only; everything that changes lives in the {@link FleetState} passed in.
 */
public final class FleetLearner {
    private final FleetSettings settings;
    private final Backend backend;
    private final ModelFactory factory;
    private final Optimizer optimizer;
    private final String[] classes;
    private final DecisionPolicy policy;
    /** The model file new fleets start from (null: the factory's initial weights). */
    private final ModelSeed initial;

    public FleetLearner(FleetSettings settings, Backend backend, ModelFactory factory) {
        this(settings, DecisionPolicy.NONE, backend, factory);
    }

    public FleetLearner(FleetSettings settings, DecisionPolicy policy, Backend backend, ModelFactory factory) {
        this(settings, policy, backend, factory, settings.buildOptimizer(), null);
    }

    private FleetLearner(FleetSettings settings, DecisionPolicy policy, Backend backend, ModelFactory factory,
                         Optimizer optimizer, ModelSeed initial) {
        this.settings = settings;
        this.policy = policy;
        this.backend = backend;
        this.factory = factory;
        this.optimizer = optimizer;
        this.classes = settings.classes().toArray(new String[0]);
        this.initial = initial;
    }

    /**
     * The same learner, whose new fleets start from a model file's weights (and its optimizer state when it holds
     * the configured optimizer's; the model version then continues from that optimizer's step count) instead of the
     * factory's initial ones; null: the factory's.
     */
    public FleetLearner withInitialModel(ModelSeed seed) {
        return new FleetLearner(settings, policy, backend, factory, optimizer, seed);
    }

    /**
     * The same learner with another learning rate, for schedules of the offline evaluation's further passes; the
     * optimizer's kind (and so the state it keeps) is unchanged.
     */
    public FleetLearner withLearningRate(double lr) {
        return new FleetLearner(settings, policy, backend, factory, settings.withLearningRate(lr).buildOptimizer(),
                initial);
    }

    /** A new state for a fleet whose windows have {@code channels} × {@code length} samples. */
    public FleetState create(int channels, int length) {
        Sequential model = factory.build(backend, channels, length, classes.length, settings.seed());
        FleetState m = new FleetState(model, optimizer.init(model.params()), classes, settings.batch());
        if (initial != null) {
            if (initial.seed(m.model, m.optimizerState)) {
                m.version = m.optimizerState.step();
            }
        }
        attachDecision(m);
        return m;
    }

    /**
     * Gives a fleet the configured decision stage when it has none (new, or restored from older state) or one of
     * another algorithm; without one configured, a restored stage is dropped and the base network unfrozen.
     */
    private void attachDecision(FleetState m) {
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

    /** Null when a window of this shape fits the fleet's model and the configured classes, else why not. */
    public String mismatch(FleetState m, String fleet, int channels, int length) {
        if (channels != m.channels() || length != m.length()) {
            return "window shape " + channels + "x" + length + " differs from fleet '" + fleet + "' model's "
                    + m.channels() + "x" + m.length();
        }
        if (!Arrays.equals(m.classes, classes)) {
            return "fleet model classes " + String.join(",", m.classes) + " differ from configured "
                    + String.join(",", classes);
        }
        return null;
    }

    /**
     * Predicts one window, then learns from it when labelled; returns the prediction (made before learning).
     *
     * @param x     the window, channel-major [C × N] raw samples (normalised here when configured; not modified)
     * @param label the class name, or null when unlabelled
     */
    public FleetPrediction observe(FleetState m, float[] x, String label) {
        return observe(m, x, label, Double.NaN);
    }

    /**
     * {@link #observe(FleetState, float[], String)} for a window that may carry its shaft speed: with order tracking on
     * and {@code rpm} known, the window is first resampled to the fleet's reference speed (the first speed it saw).
     */
    public FleetPrediction observe(FleetState m, float[] x, String label, double rpm) {
        attachDecision(m);
        float[] in = input(m, x, rpm);
        float[] p = trainer(m).predictProbabilities(in, 1).clone();
        int best = argmax(p);
        int decided = m.decision == null ? -1 : m.decision.decide(p);
        int chosen = decided >= 0 ? decided : best;
        FleetPrediction out = new FleetPrediction(p, chosen, m.classes[chosen], decided >= 0 ? m.decision.algorithm() : "base",
                m.version, m.hash(), m.decision == null ? null : m.decision.version(),
                m.decision == null ? null : m.frozen);
        m.windows++;
        if (label != null) {
            int y = indexOf(m.classes, label);
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
                addToBatch(m, in, y);
            }
        }
        return out;
    }

    /**
     * Learns from a labelled window without predicting it (the offline evaluation's further passes over the same
     * stream): the same pending mini-batch and optimizer step as {@link #observe}.
     */
    public void learn(FleetState m, float[] x, String label) {
        learn(m, x, label, Double.NaN);
    }

    /** {@link #learn(FleetState, float[], String)} for a window with its shaft speed (NaN: unknown). */
    public void learn(FleetState m, float[] x, String label, double rpm) {
        addToBatch(m, input(m, x, rpm), indexOf(m.classes, label));
    }

    /** Class probabilities of n windows (row-major n × K) in inference mode; nothing is learned. */
    public float[] probabilities(FleetState m, float[] xs, int n) {
        return probabilities(m, xs, n, null);
    }

    /** {@link #probabilities(FleetState, float[], int)} for windows with their shaft speeds (null or NaN: unknown). */
    public float[] probabilities(FleetState m, float[] xs, int n, double[] rpms) {
        return trainer(m).predictProbabilities(inputs(xs, n, m, rpms), n);
    }

    /**
     * Adapts the batch-norm statistics to n unlabelled windows (AdaBN-style, {@link ClassifierTrainer#adaptNormalisation}):
     * no label, no parameter or optimizer change.
     */
    public void adaptNormalisation(FleetState m, float[] xs, int n) {
        adaptNormalisation(m, xs, n, null);
    }

    /** {@link #adaptNormalisation(FleetState, float[], int)} for windows with their shaft speeds (null: unknown). */
    public void adaptNormalisation(FleetState m, float[] xs, int n, double[] rpms) {
        trainer(m).adaptNormalisation(inputs(xs, n, m, rpms), n);
    }

    private void addToBatch(FleetState m, float[] in, int y) {
        if (!allFinite(in)) {
            // one NaN would make the whole mini-batch's step non-finite: the window is refused on its own
            m.faults.record("non-finite input", settings.guard().maxConsecutiveFaults());
            return;
        }
        m.ensureBatch(settings.batch());
        System.arraycopy(in, 0, m.pendingInputs, m.pendingCount * in.length, in.length);
        m.pendingLabels[m.pendingCount++] = y;
        if (m.pendingCount >= settings.batch()) {
            TrainingGuard.Outcome o = trainer(m).train(m.pendingInputs, m.pendingLabels, m.pendingCount);
            m.pendingCount = 0;
            m.faults.record(o, settings.guard().maxConsecutiveFaults());
            if (!o.skipped()) {
                m.lastLoss = o.loss();
                m.version++;
            }
        }
    }

    private static boolean allFinite(float[] x) {
        for (float v : x) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Freezes the base network when the decision stage's accuracy over the last window of its decisions reaches
     * the target (the pending mini-batch is dropped), unfreezes it when that accuracy falls below the lower bound.
     */
    private void applyFreezePolicy(FleetState m) {
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

    /**
     * The model input of a window: a copy, order-tracked to the fleet's reference speed when configured and the
     * speed is known (the first known speed becomes the reference), then normalised per channel (mean 0, sd 1) when
     * configured.
     */
    private float[] input(FleetState m, float[] x, double rpm) {
        int channels = m.channels();
        int length = m.length();
        if (x.length != channels * length) {
            throw new IllegalArgumentException("window of " + x.length + " values, the model takes " + channels + " x "
                    + length);
        }
        float[] in = tracks(m, rpm) ? OrderTracking.resample(x, channels, length, rpm, m.referenceRpm) : x.clone();
        if (settings.normalize()) {
            Windowing.normalise(in, 0, channels, length);
        }
        return in;
    }

    private float[] inputs(float[] xs, int n, FleetState m, double[] rpms) {
        int per = m.exampleSize();
        float[] in = Arrays.copyOf(xs, n * per);
        for (int i = 0; i < n; i++) {
            double rpm = rpms == null ? Double.NaN : rpms[i];
            if (tracks(m, rpm)) {
                float[] r = OrderTracking.resample(Arrays.copyOfRange(in, i * per, (i + 1) * per), m.channels(),
                        m.length(), rpm, m.referenceRpm);
                System.arraycopy(r, 0, in, i * per, per);
            }
            if (settings.normalize()) {
                Windowing.normalise(in, i * per, m.channels(), m.length());
            }
        }
        return in;
    }

    /**
     * Whether a window of this speed is order-tracked; the first known speed a fleet sees becomes its reference.
     */
    private boolean tracks(FleetState m, double rpm) {
        if (!settings.orderTracking() || !OrderTracking.known(rpm)) {
            return false;
        }
        if (!OrderTracking.known(m.referenceRpm)) {
            m.referenceRpm = rpm;
        }
        return true;
    }

    /** The trainer around the state's model; the state keeps it, so nothing outlives the state that owns it. */
    private ClassifierTrainer trainer(FleetState m) {
        if (m.trainer == null) {
            m.trainer = new ClassifierTrainer(m.model, optimizer, m.optimizerState);
        } else if (m.trainer.optimizer() != optimizer) {
            m.trainer.setOptimizer(optimizer);
        }
        if (m.trainer.guard() != settings.guard()) {
            m.trainer.setGuard(settings.guard());
        }
        return m.trainer;
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }

    private static int indexOf(String[] classes, String label) {
        for (int i = 0; i < classes.length; i++) {
            if (classes[i].equals(label)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown label '" + label + "'; classes: " + String.join(", ", classes));
    }

    public DecisionPolicy policy() {
        return policy;
    }

    public FleetSettings settings() {
        return settings;
    }

    public Backend backend() {
        return backend;
    }
}
