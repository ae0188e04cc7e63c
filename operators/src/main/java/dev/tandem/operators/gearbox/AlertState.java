package dev.tandem.operators.gearbox;

/** Per-machine state of the {@link AlertFunction}: a Flink POJO (serialized without Kryo). */
public class AlertState {
    /** The fault being counted (null when none). */
    public String fault;
    /** Consecutive qualifying windows of that fault. */
    public int run;
    /** Sum of their confidences. */
    public double confidenceSum;
    /** The fault of the alert currently raised, or null. */
    public String raised;
    /** Consecutive healthy windows since the alert was raised. */
    public int healthyRun;

    public AlertState() {
    }
}
