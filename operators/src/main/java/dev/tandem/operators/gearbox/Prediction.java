package dev.tandem.operators.gearbox;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the fleet's model said about one window (topic {@code gearbox-predictions}, key = machine), made BEFORE the
 * model learned from that window (prequential). {@code probabilities[k]} belongs to {@code classes[k]};
 * {@code decision} is the chosen class; {@code label} the true class when the window was labelled.
 * {@code model_version} counts the optimizer steps of the fleet's model; {@code model_hash} is a 64-bit hash (hex)
 * of that model's parameters, so two predictions with equal version and hash came from identical weights.
 * {@code stage} says what decided ({@code base}: argmax of the probabilities; {@code svm}/{@code mlp}: the decision
 * stage reading them, version {@code decision_version}); {@code confidence} is the base network's probability of the
 * decided class.
 */
public class Prediction {
    public long time;
    public String machine;
    public String fleet;
    public String[] classes;
    public float[] probabilities;
    public String decision;
    /** Probability of the decision. */
    public float confidence;
    public String label;
    public long modelVersion;
    public String modelHash;
    /** Which stage decided: "base" (argmax of the base network), "svm" or "mlp" (the decision stage). */
    public String stage;
    /** The decision stage's version (trainings or steps) when one exists, else absent. */
    public Long decisionVersion;
    /** Whether the base network was frozen (not training) when this window came; absent without a decision stage. */
    public Boolean baseFrozen;
    /** AL mode only: the step of each component's encoder f_l that processed the window (absent in backprop mode). */
    public long[] encoderVersions;
    /** AL mode only: the published version of each decoder h_l used (0: the initial decoder). */
    public long[] decoderVersions;

    public Prediction() {
    }

    public boolean correct() {
        return label != null && label.equals(decision);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Prediction p)) {
            return false;
        }
        return time == p.time && Float.compare(confidence, p.confidence) == 0 && modelVersion == p.modelVersion
                && Objects.equals(machine, p.machine) && Objects.equals(fleet, p.fleet)
                && Arrays.equals(classes, p.classes) && Arrays.equals(probabilities, p.probabilities)
                && Objects.equals(decision, p.decision) && Objects.equals(label, p.label)
                && Objects.equals(modelHash, p.modelHash) && Objects.equals(stage, p.stage)
                && Objects.equals(decisionVersion, p.decisionVersion) && Objects.equals(baseFrozen, p.baseFrozen)
                && Arrays.equals(encoderVersions, p.encoderVersions) && Arrays.equals(decoderVersions, p.decoderVersions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, machine, fleet, decision, label, modelVersion, modelHash);
    }

    @Override
    public String toString() {
        return "Prediction{time=" + time + ", machine=" + machine + ", fleet=" + fleet + ", decision=" + decision
                + ", confidence=" + confidence + ", label=" + label + ", modelVersion=" + modelVersion + (stage == null ? "" : ", stage=" + stage)
                + (decisionVersion == null ? "" : ", decisionVersion=" + decisionVersion) + "}";
    }
}
