package dev.tandem.learning.tensor;

/** Element type of a tensor. Training runs in FLOAT32; gradient checks run in FLOAT64. */
public enum DType {
    FLOAT32(4),
    FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
