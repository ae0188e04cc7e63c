package dev.tandem.operators.gearbox;

import dev.tandem.learning.data.Windowing;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.train.ClassifierTrainer;
import dev.tandem.operators.records.Prediction;
import dev.tandem.operators.records.VibrationWindow;

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
    private final Map<FleetModel, ClassifierTrainer> trainers = new IdentityHashMap<>();

    public FleetLearner(TrainerSettings settings, Backend backend, ModelFactory factory) {
        this.settings = settings;
        this.backend = backend;
        this.factory = factory;
        this.optimizer = settings.buildOptimizer();
        this.classes = settings.classes().toArray(new String[0]);
    }

    /** A new model for a fleet whose first window is w. */
    public FleetModel create(VibrationWindow w) {
        Sequential model = factory.build(backend, w.channelCount(), w.length(), classes.length, settings.seed());
        return new FleetModel(model, optimizer.init(model.params()), classes, settings.batch());
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

    /** Predicts w, then learns from it when labelled; returns the prediction (made before learning). */
    public Prediction observe(FleetModel m, VibrationWindow w) {
        ClassifierTrainer trainer = trainer(m);
        float[] x = input(w);
        float[] p = trainer.predictProbabilities(x, 1);
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        Prediction out = new Prediction();
        out.time = w.time;
        out.machine = w.machine;
        out.fleet = w.fleet;
        out.classes = m.classes.clone();
        out.probabilities = p.clone();
        out.decision = m.classes[best];
        out.confidence = p[best];
        out.label = w.label;
        out.modelVersion = m.version;
        out.modelHash = m.hash();
        m.windows++;
        if (w.label != null) {
            int y = indexOf(m.classes, w.label);
            m.labelled++;
            if (y == best) {
                m.correct++;
            }
            m.ensureBatch(settings.batch());
            System.arraycopy(x, 0, m.pendingInputs, m.pendingCount * x.length, x.length);
            m.pendingLabels[m.pendingCount++] = y;
            if (m.pendingCount >= settings.batch()) {
                m.lastLoss = trainer.trainBatch(m.pendingInputs, m.pendingLabels, m.pendingCount);
                m.pendingCount = 0;
                m.version++;
            }
        }
        return out;
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
