package dev.tandem.learning.optim;

import dev.tandem.learning.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's state as plain data: a step counter, named scalars, and named per-parameter tensor slots
 * (Adam's m and v, SGD's momentum buffer). Updated in place by the optimizer; written by the model codec.
 */
public final class OptimizerState {
    private final String optimizer;
    private long step;
    private final Map<String, Double> scalars = new LinkedHashMap<>();
    private final Map<String, List<Tensor>> slots = new LinkedHashMap<>();

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

    public List<Tensor> slot(String name) {
        List<Tensor> s = slots.get(name);
        if (s == null) {
            throw new IllegalStateException(optimizer + " state has no slot '" + name + "'");
        }
        return s;
    }
}
