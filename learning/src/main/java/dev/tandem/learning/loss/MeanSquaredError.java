package dev.tandem.learning.loss;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

/** Mean squared error over every element: (1/M) Σ (y − t)²; gradient 2 (y − t) / M. */
public final class MeanSquaredError implements Loss {
    private Tensor diff;

    @Override
    public double forward(Tensor output, Tensor target) {
        Shapes.requireSameShape(output, target, "MSE");
        Backend b = output.backend();
        if (diff == null || !java.util.Arrays.equals(diff.shape(), output.shape()) || diff.dtype() != output.dtype()) {
            diff = b.zeros(output.dtype(), output.shape());
        }
        b.copy(output, diff);
        b.axpby(-1, target, 1, diff);
        return b.sumSquares(diff) / diff.size();
    }

    @Override
    public Tensor backward() {
        Backend b = diff.backend();
        Tensor g = b.zeros(diff.dtype(), diff.shape());
        b.axpby(2.0 / diff.size(), diff, 0, g);
        return g;
    }
}
