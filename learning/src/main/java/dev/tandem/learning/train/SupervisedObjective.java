package dev.tandem.learning.train;

import dev.tandem.learning.loss.Loss;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.nn.SlopeRecovery;
import dev.tandem.learning.optim.Objective;
import dev.tandem.learning.tensor.Tensor;

import java.util.Optional;

/**
 * The loss of a model on one mini-batch, as an {@link Objective}. Every evaluation uses the same training pass
 * (same dropout masks), so repeated evaluations at the same parameters agree. When the model has locally
 * adaptive activations the objective adds their slope-recovery term W_a·S(a) ({@link SlopeRecovery}, W_a = 1 by
 * default as in the paper's benchmarks) to the loss and its gradient to the slopes; otherwise it is the data loss.
 */
public final class SupervisedObjective implements Objective {
    /** W_a of the paper's benchmarks. */
    public static final double DEFAULT_SLOPE_RECOVERY_WEIGHT = 1.0;

    private final Sequential model;
    private final Loss loss;
    private final Optional<SlopeRecovery> slopeRecovery;
    private Tensor inputs;
    private Tensor targets;
    private Pass pass;

    public SupervisedObjective(Sequential model, Loss loss) {
        this(model, loss, DEFAULT_SLOPE_RECOVERY_WEIGHT);
    }

    public SupervisedObjective(Sequential model, Loss loss, double slopeRecoveryWeight) {
        this.model = model;
        this.loss = loss;
        this.slopeRecovery = SlopeRecovery.of(model, slopeRecoveryWeight);
    }

    /** Points the objective at a batch. */
    public SupervisedObjective on(Tensor inputs, Tensor targets, Pass pass) {
        this.inputs = inputs;
        this.targets = targets;
        this.pass = pass;
        return this;
    }

    @Override
    public double lossAndGradients() {
        double l = loss.forward(model.forward(inputs, pass), targets);
        model.backwardParameters(loss.backward());
        if (slopeRecovery.isPresent()) {
            l += slopeRecovery.get().addGradient();
        }
        return l;
    }

    @Override
    public double loss() {
        double l = loss.forward(model.forward(inputs, pass), targets);
        if (slopeRecovery.isPresent()) {
            l += slopeRecovery.get().weightedValue();
        }
        return l;
    }

    /** The slope-recovery term in use, if the model has adaptive activations. */
    public Optional<SlopeRecovery> slopeRecovery() {
        return slopeRecovery;
    }
}
