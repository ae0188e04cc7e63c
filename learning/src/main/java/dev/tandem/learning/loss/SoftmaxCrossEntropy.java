package dev.tandem.learning.loss;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Tensor;

/**
 * Softmax cross-entropy on logits [N, K] against target distributions [N, K] (rows sum to 1), mean over N.
 * Gradient: (softmax(z) − t) / N.
 */
public final class SoftmaxCrossEntropy implements Loss {
    private Tensor probs;
    private Tensor target;
    private Tensor grad;

    @Override
    public double forward(Tensor logits, Tensor target) {
        Backend b = logits.backend();
        if (probs == null || !java.util.Arrays.equals(probs.shape(), logits.shape()) || probs.dtype() != logits.dtype()) {
            probs = b.zeros(logits.dtype(), logits.shape());
            grad = b.zeros(logits.dtype(), logits.shape());
        }
        this.target = target;
        return b.softmaxCrossEntropy(logits, target, probs);
    }

    @Override
    public Tensor backward() {
        Backend b = probs.backend();
        double inv = 1.0 / probs.dim(0);
        b.copy(probs, grad);
        b.axpby(-inv, target, inv, grad);
        return grad;
    }

    /** The softmax of the last forward pass. */
    public Tensor probabilities() {
        return probs;
    }
}
