package dev.tandem.operators.al;

/**
 * A stage's published decoder h_l for one key (a Flink POJO): the component, its step when published (the
 * version a prediction reports), and the network in {@code ModelCodec} format without optimizer state
 * ({@code PartSnapshot.decoder}). Stages send these to the decoder operator as broadcast state.
 */
public class DecoderSnapshot {
    public String key;
    public int component;
    public long version;
    public byte[] model;

    public DecoderSnapshot() {
    }

    public DecoderSnapshot(String key, int component, long version, byte[] model) {
        this.key = key;
        this.component = component;
        this.version = version;
        this.model = model;
    }

    /** The broadcast-state key of a key's component. */
    static String id(String key, int component) {
        return key + '\u0000' + component;
    }

    @Override
    public String toString() {
        return "DecoderSnapshot{" + key + " h_" + (component + 1) + " v" + version + "}";
    }
}
