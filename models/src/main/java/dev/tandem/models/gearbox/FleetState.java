package dev.tandem.models.gearbox;

import dev.tandem.learning.io.ModelHash;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.FaultCounter;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.train.ClassifierTrainer;

/**
 * The keyed state of one fleet: its classifier, the optimizer's state, the model version (optimizer steps taken),
 * counters, the labelled windows waiting for the next mini-batch, and — with a decision stage — that stage, the
 * freeze state of the base network and the stage's recent accuracy. Written by {@code FleetStateSerializer}
 * (operators); driven by {@link FleetLearner}.
 */
public final class FleetState {
    public final Sequential model;
    public final OptimizerState optimizerState;
    /** Class names; index k is output k of the model. */
    public final String[] classes;
    /** Optimizer steps applied so far. */
    public long version;
    public long windows;
    public long labelled;
    /** Labelled windows whose prediction (made before learning from them) was right. */
    public long correct;
    public double lastLoss = Double.NaN;
    /**
     * Updates refused for non-finite values (a labelled window with a NaN or infinite sample, or a step the
     * {@link dev.tandem.learning.optim.TrainingGuard} refused), in all and in a row; checkpointed.
     */
    public FaultCounter faults = new FaultCounter();
    /** Pending labelled examples: pendingCount × example size values, and their class indices. */
    public float[] pendingInputs;
    public int[] pendingLabels;
    public int pendingCount;
    /** The decision stage (null without one, {@link DecisionPolicy#NONE}). */
    public dev.tandem.models.decision.DecisionStage decision;
    /** Whether the base network is frozen (predicts, does not train) by the freeze policy. */
    public boolean frozen;
    public long freezes;
    public long unfreezes;
    /** Right/wrong of the decision stage's last decisions (null without a decision stage). */
    public RecentAccuracy recent;
    /**
     * The shaft speed (rpm) every order-tracked window is resampled to: the speed of the fleet's first window that
     * carried one; NaN until then.
     */
    public double referenceRpm = Double.NaN;
    /** The trainer around {@link #model} (scratch tensors only; rebuilt after a restore). */
    transient ClassifierTrainer trainer;
    private transient String hash;
    private transient long hashVersion = -1;

    public FleetState(Sequential model, OptimizerState optimizerState, String[] classes, int batch) {
        this.model = model;
        this.optimizerState = optimizerState;
        this.classes = classes.clone();
        this.pendingInputs = new float[batch * exampleSize()];
        this.pendingLabels = new int[batch];
    }

    public int exampleSize() {
        return Shapes.size(model.inputShape());
    }

    public int channels() {
        return model.inputShape()[0];
    }

    public int length() {
        return model.inputShape()[1];
    }

    /** The hash of the current weights (cached per version). */
    public String hash() {
        if (hash == null || hashVersion != version) {
            hash = ModelHash.of(model);
            hashVersion = version;
        }
        return hash;
    }

    public double prequentialAccuracy() {
        return labelled == 0 ? Double.NaN : (double) correct / labelled;
    }

    /** Makes room for a batch of the given size (a configuration change between runs), keeping pending examples. */
    void ensureBatch(int batch) {
        int need = Math.max(batch, pendingCount);
        if (pendingLabels.length < need) {
            pendingInputs = java.util.Arrays.copyOf(pendingInputs, need * exampleSize());
            pendingLabels = java.util.Arrays.copyOf(pendingLabels, need);
        }
    }
}
