package dev.tandem.learning.loss;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;

/**
 * Mean squared error over the cells that have data: with a mask m shaped like the output (1 where the target has a
 * value, 0 where it has none), L = Σ m ⊙ (y − t)² / Σ m and ∂L/∂y = 2 m ⊙ (y − t) / Σ m. Masked target cells may
 * hold any finite value (they are multiplied by 0). With no mask set, or a mask of ones, it is
 * {@link MeanSquaredError}; a mask of zeros gives loss 0 and a zero gradient. {@link #setMask} points it at the
 * current batch's mask (the caller keeps the tensor).
 */
public final class MaskedMeanSquaredError implements Loss {
    private Tensor mask;
    private Tensor diff;
    private Tensor grad;
    private double count;

    /** The mask of the next {@link #forward} calls; null = every cell counts. */
    public MaskedMeanSquaredError setMask(Tensor mask) {
        this.mask = mask;
        return this;
    }

    @Override
    public double forward(Tensor output, Tensor target) {
        Shapes.requireSameShape(output, target, "masked MSE");
        Backend b = output.backend();
        if (diff == null || !Arrays.equals(diff.shape(), output.shape()) || diff.dtype() != output.dtype()) {
            diff = b.zeros(output.dtype(), output.shape());
            grad = b.zeros(output.dtype(), output.shape());
        }
        b.copy(output, diff);
        b.axpby(-1, target, 1, diff);
        if (mask == null) {
            count = diff.size();
        } else {
            Shapes.requireSameShape(output, mask, "masked MSE mask");
            b.multiply(diff, mask, diff);
            count = b.sum(mask);
        }
        return count > 0 ? b.sumSquares(diff) / count : 0;
    }

    @Override
    public Tensor backward() {
        diff.backend().axpby(count > 0 ? 2.0 / count : 0, diff, 0, grad);
        return grad;
    }

    /** Cells counted by the last {@link #forward} (Σ mask). */
    public double count() {
        return count;
    }
}
