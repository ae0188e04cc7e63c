package dev.tandem.learning.al;

import dev.tandem.learning.tensor.Tensor;

/**
 * What one component's training step hands on: s_l and t_l, computed with the parameters the step started from
 * (synchronous semantics), as fresh tensors the caller owns; and the two local losses at those parameters.
 */
public record StepResult(Tensor s, Tensor t, double associationLoss, double autoencoderLoss) {
}
