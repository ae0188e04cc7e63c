package dev.tandem.operators.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the fleet's model said about one window (topic {@code gearbox-predictions}, key = machine), made BEFORE the
 * model learned from that window (prequential). {@code probabilities[k]} belongs to {@code classes[k]};
 * {@code decision} is the chosen class; {@code label} the true class when the window was labelled.
 * {@code model_version} counts the optimizer steps of the fleet's model; {@code model_hash} is a 64-bit hash (hex)
 * of that model's parameters, so two predictions with equal version and hash came from identical weights.
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
                && Objects.equals(modelHash, p.modelHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, machine, fleet, decision, label, modelVersion, modelHash);
    }

    @Override
    public String toString() {
        return "Prediction{time=" + time + ", machine=" + machine + ", fleet=" + fleet + ", decision=" + decision
                + ", confidence=" + confidence + ", label=" + label + ", modelVersion=" + modelVersion + "}";
    }
}
