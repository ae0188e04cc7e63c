package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer as an {@code init}/{@code update} pair (optax style) whose state is plain data. {@link #step}
 * runs one training step against an {@link Objective}; the default evaluates one gradient and applies
 * {@link #update}. A step whose loss or gradient is not finite leaves the parameters unchanged.
 */
public interface Optimizer {

    String name();

    OptimizerState init(List<Param> params);

    /** Applies one update from the gradients in {@code params} to their values, advancing the state. */
    void update(List<Param> params, OptimizerState state);

    /** One training step; returns the objective's loss at the parameters the step started from. */
    default double step(Objective objective, List<Param> params, OptimizerState state) {
        double loss = objective.lossAndGradients();
        if (!Double.isFinite(loss) || !gradientsFinite(objective, params)) {
            return loss;
        }
        update(params, state);
        return loss;
    }

    /** Whether the gradients the objective just wrote are finite, checked unless the objective already did. */
    static boolean gradientsFinite(Objective objective, List<Param> params) {
        return objective.gradientsKnownFinite() || gradientsFinite(params);
    }

    static boolean gradientsFinite(List<Param> params) {
        for (Param p : params) {
            if (!p.grad().backend().allFinite(p.grad())) {
                return false;
            }
        }
        return true;
    }

    /** A zero tensor shaped like each parameter. */
    static List<Tensor> zerosLike(List<Param> params) {
        List<Tensor> out = new ArrayList<>(params.size());
        for (Param p : params) {
            out.add(p.value().backend().zeros(p.value().dtype(), p.value().shape()));
        }
        return out;
    }

    static void requireRange(boolean ok, String parameter, double value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(parameter + " = " + value + " is out of range; allowed: " + allowed);
        }
    }
}
