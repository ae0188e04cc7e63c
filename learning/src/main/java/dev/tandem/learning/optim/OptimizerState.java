package dev.tandem.learning.optim;

import dev.tandem.learning.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's state as plain data: a step counter, named scalars, and named per-parameter tensor slots
 * (Adam's m and v, SGD's momentum buffer). Updated in place by the optimizer; written by the model codec.
 * Scalars are doubles: a counter is exact up to 2^53, and a 64-bit seed is kept as two 32-bit halves
 * ({@link #putLong}). Working memory an optimizer needs only within a step lives in {@link #scratch()}, which is
 * not part of the state and is not saved.
 */
public final class OptimizerState {
    private final String optimizer;
    private long step;
    private final Map<String, Double> scalars = new LinkedHashMap<>();
    private final Map<String, List<Tensor>> slots = new LinkedHashMap<>();
    private final Map<String, List<Tensor>> scratch = new LinkedHashMap<>();

    public OptimizerState(String optimizer) {
        this.optimizer = optimizer;
    }

    public String optimizer() {
        return optimizer;
    }

    public long step() {
        return step;
    }

    public void setStep(long step) {
        this.step = step;
    }

    public Map<String, Double> scalars() {
        return scalars;
    }

    public Map<String, List<Tensor>> slots() {
        return slots;
    }

    /** Per-step working tensors (not state: never saved, recreated on demand after a load). */
    public Map<String, List<Tensor>> scratch() {
        return scratch;
    }

    /** A scalar that must be present. */
    public double scalar(String name) {
        Double v = scalars.get(name);
        if (v == null) {
            throw new IllegalStateException(optimizer + " state has no scalar '" + name + "'");
        }
        return v;
    }

    /** Stores a 64-bit value exactly, as the scalars {@code name.hi} and {@code name.lo} (32 bits each). */
    public void putLong(String name, long value) {
        scalars.put(name + ".hi", (double) (value >>> 32));
        scalars.put(name + ".lo", (double) (value & 0xFFFFFFFFL));
    }

    public long getLong(String name) {
        return ((long) scalar(name + ".hi") << 32) | (long) scalar(name + ".lo");
    }

    public List<Tensor> slot(String name) {
        List<Tensor> s = slots.get(name);
        if (s == null) {
            throw new IllegalStateException(optimizer + " state has no slot '" + name + "'");
        }
        return s;
    }
}
