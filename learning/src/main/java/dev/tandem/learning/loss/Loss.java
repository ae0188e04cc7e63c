package dev.tandem.learning.loss;

import dev.tandem.learning.tensor.Tensor;

/** A loss over a batch: {@link #forward} returns the mean loss, {@link #backward} its gradient w.r.t. the output. */
public interface Loss {
    double forward(Tensor output, Tensor target);

    Tensor backward();
}
