package dev.tandem.operators.al;

/**
 * One stage's whole component state for a key (the {@code ComponentState} bytes), emitted when an
 * {@link AlSignal#EXPORT} signal passes: how tests and benchmarks read the parameters a pipeline trained.
 */
public class AlExport {
    public String key;
    public int component;
    public long step;
    public byte[] state;

    public AlExport() {
    }

    public AlExport(String key, int component, long step, byte[] state) {
        this.key = key;
        this.component = component;
        this.step = step;
        this.state = state;
    }
}
