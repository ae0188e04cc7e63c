package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;

/**
 * A stream of mini-batch objectives f_b(w) = ½‖w − c_b‖² over one parameter, with a different centre c_b per
 * batch, for checking how optimizers consume batches. Counts gradient evaluations, forward evaluations and batches.
 */
final class QuadraticStream implements Objective {
    private final Param p;
    private final long seed;
    private final int limit;
    private int batch;
    int gradients;
    int forwards;

    QuadraticStream(Param p, long seed, int limit) {
        this.p = p;
        this.seed = seed;
        this.limit = limit;
    }

    int batch() {
        return batch;
    }

    double[] centre(int b) {
        return GradientCheck.random(p.value().size(), seed * 1_000_003L + b);
    }

    @Override
    public double lossAndGradients() {
        gradients++;
        Tensor c = p.value().backend().fromHost(centre(batch), p.value().shape());
        p.value().backend().copy(p.value(), p.grad());
        p.value().backend().axpby(-1, c, 1, p.grad());
        return 0.5 * p.grad().backend().sumSquares(p.grad());
    }

    @Override
    public double loss() {
        forwards++;
        double[] w = p.value().toDoubleArray();
        double[] c = centre(batch);
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += 0.5 * (w[i] - c[i]) * (w[i] - c[i]);
        }
        return s;
    }

    @Override
    public boolean nextBatch() {
        if (batch + 1 >= limit) {
            return false;
        }
        batch++;
        return true;
    }
}
