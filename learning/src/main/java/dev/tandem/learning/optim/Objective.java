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

    /**
     * True when the gradients of the last {@link #lossAndGradients} are known to be finite (a guard that checked
     * them, {@link TrainingGuard}), so an optimizer need not check them again; false when nobody checked.
     */
    default boolean gradientsKnownFinite() {
        return false;
    }

    /** Moves to the next mini-batch, for methods that take several steps per call; false when the stream has none. */
    default boolean nextBatch() {
        return false;
    }
}
