package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Tensor;

import java.util.List;

/**
 * A layer owns its parameters and knows its forward and backward pass. Tensors are batches: axis 0 is the
 * example. {@link #backward} must follow the {@link #forward} it differentiates; it writes every parameter's
 * gradient (overwriting) and returns the gradient with respect to the layer's input.
 */
public interface Layer {

    /** The configuration this layer was built from; the model codec stores it. */
    LayerSpec spec();

    /** Per-example output shape. */
    int[] outputShape();

    Tensor forward(Tensor x, Pass pass, int layerIndex);

    Tensor backward(Tensor dy);

    /**
     * Like {@link #backward} when the caller needs only the parameter gradients (the first trainable layer of a
     * model): writes the same parameter gradients and may skip the input gradient, returning null.
     */
    default Tensor backwardParameters(Tensor dy) {
        return backward(dy);
    }

    default List<Param> params() {
        return List.of();
    }

    /** Non-trainable state that is saved with the model (batch-norm running statistics). */
    default List<Tensor> buffers() {
        return List.of();
    }
}
