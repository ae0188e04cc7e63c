package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Backend;

import java.io.Serializable;
import java.util.List;

/**
 * Gradient clipping for any optimizer, applied by {@link TrainingGuard} to the gradients of every evaluation the
 * optimizer asks for (LRSGD's inner steps, S-SGD's food step alike), before the optimizer reads them. First by value
 * ({@code maxValue}: every element into [−maxValue, maxValue]), then by the global L2 norm over all parameter tensors
 * ({@code maxNorm}: when ‖g‖₂ &gt; maxNorm every gradient is scaled by maxNorm / ‖g‖₂, so the direction is kept), the
 * order of PyTorch's {@code clip_grad_value_} followed by {@code clip_grad_norm_}. 0 turns either off; both are off
 * by default ({@link #OFF}), so an unconfigured model trains exactly as without clipping.
 */
public record GradientClipping(double maxNorm, double maxValue) implements Serializable {
    public static final GradientClipping OFF = new GradientClipping(0, 0);
    /** Configuration keys of the two thresholds (named in the errors). */
    public static final String NORM_KEY = "training.gradient-clip-norm";
    public static final String VALUE_KEY = "training.gradient-clip-value";

    public GradientClipping {
        Optimizer.requireRange(maxNorm >= 0 && Double.isFinite(maxNorm), NORM_KEY, maxNorm, ">= 0 (0 = off)");
        Optimizer.requireRange(maxValue >= 0 && Double.isFinite(maxValue), VALUE_KEY, maxValue, ">= 0 (0 = off)");
    }

    public static GradientClipping norm(double maxNorm) {
        return new GradientClipping(maxNorm, 0);
    }

    public boolean enabled() {
        return maxNorm > 0 || maxValue > 0;
    }

    /** The global L2 norm of the parameters' gradients, accumulated in double. */
    public static double globalNorm(List<Param> params) {
        double s = 0;
        for (Param p : params) {
            s += p.grad().backend().sumSquares(p.grad());
        }
        return Math.sqrt(s);
    }

    /**
     * Clips the gradients in place (finite gradients only: the guard refuses the others before this is called);
     * returns the global norm after the value clip and before the norm clip (the norm that was compared).
     */
    public double apply(List<Param> params) {
        if (maxValue > 0) {
            for (Param p : params) {
                p.grad().backend().clamp(p.grad(), -maxValue, maxValue);
            }
        }
        double norm = globalNorm(params);
        if (maxNorm > 0 && norm > maxNorm) {
            double scale = maxNorm / norm;
            for (Param p : params) {
                Backend b = p.grad().backend();
                b.axpby(scale, p.grad(), 0, p.grad());
            }
        }
        return norm;
    }
}
