package dev.tandem.operators.gearbox;

import java.util.Objects;

/**
 * A fault alert (topic {@code gearbox-alerts}, key = machine). RAISED after k consecutive windows classified as one
 * fault with confidence ≥ τ; CLEARED when the machine has recovered. {@code fault} is the class, {@code confidence}
 * the mean confidence over the {@code windows} windows that decided it; {@code model_version}, {@code stage} and
 * {@code decision_version} are those of the prediction that raised or cleared it.
 */
public class Alert {
    public static final String RAISED = "RAISED";
    public static final String CLEARED = "CLEARED";

    public long time;
    public String machine;
    public String fleet;
    /** RAISED or CLEARED. */
    public String kind;
    public String fault;
    public float confidence;
    public int windows;
    public long modelVersion;
    /** The stage that made the deciding prediction ("base", "svm", "mlp"); absent when unknown. */
    public String stage;
    /** That prediction's decision-stage version; absent without a decision stage. */
    public Long decisionVersion;

    public Alert() {
    }

    public Alert(long time, String machine, String fleet, String kind, String fault, float confidence, int windows,
            long modelVersion) {
        this.time = time;
        this.machine = machine;
        this.fleet = fleet;
        this.kind = kind;
        this.fault = fault;
        this.confidence = confidence;
        this.windows = windows;
        this.modelVersion = modelVersion;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Alert a)) {
            return false;
        }
        return time == a.time && Float.compare(confidence, a.confidence) == 0 && windows == a.windows
                && modelVersion == a.modelVersion && Objects.equals(machine, a.machine) && Objects.equals(fleet, a.fleet)
                && Objects.equals(kind, a.kind) && Objects.equals(fault, a.fault) && Objects.equals(stage, a.stage)
                && Objects.equals(decisionVersion, a.decisionVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, machine, fleet, kind, fault, windows, modelVersion);
    }

    @Override
    public String toString() {
        return "Alert{" + kind + " " + fault + " machine=" + machine + " time=" + time + " confidence=" + confidence
                + " windows=" + windows + " modelVersion=" + modelVersion + (stage == null ? "" : " stage=" + stage)
                + (decisionVersion == null ? "" : " decisionVersion=" + decisionVersion) + "}";
    }
}
