package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Tensor;

/** A trainable tensor and the gradient the last backward pass wrote for it. */
public record Param(String name, Tensor value, Tensor grad) {
    public static Param of(String name, Tensor value) {
        return new Param(name, value, value.backend().zeros(value.dtype(), value.shape()));
    }
}
