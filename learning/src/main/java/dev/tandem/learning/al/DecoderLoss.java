package dev.tandem.learning.al;

/**
 * The autoencoder loss L_ae(l) = loss(h_l(t_l), sg(t_{l-1})). Every component uses MSE except that the first
 * component (whose target t_0 is y itself) may use softmax cross-entropy for classification; h_1 then outputs
 * logits.
 */
public enum DecoderLoss {
    MSE,
    SOFTMAX_CROSS_ENTROPY
}
