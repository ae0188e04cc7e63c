package dev.tandem.learning.optim;

/**
 * What an optimizer minimises at the model's current parameters, on the current mini-batch. Optimizers that
 * need more than one gradient per step (LRSGD's inner steps, a swarm's extra evaluations) call it again; a model
 * never special-cases an optimizer.
 */
public interface Objective {

    /** Loss at the current parameters; writes fresh gradients into every parameter's grad tensor. */
    double lossAndGradients();

    /** Loss at the current parameters, forward pass only. */
    double loss();

    /** Moves to the next mini-batch, for methods that take several steps per call; false when the stream has none. */
    default boolean nextBatch() {
        return false;
    }
}
