package dev.tandem.learning.train;

import dev.tandem.learning.loss.Loss;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Objective;
import dev.tandem.learning.tensor.Tensor;

/**
 * The loss of a model on one mini-batch, as an {@link Objective}. Every evaluation uses the same training pass
 * (same dropout masks), so repeated evaluations at the same parameters agree.
 */
public final class SupervisedObjective implements Objective {
    private final Sequential model;
    private final Loss loss;
    private Tensor inputs;
    private Tensor targets;
    private Pass pass;

    public SupervisedObjective(Sequential model, Loss loss) {
        this.model = model;
        this.loss = loss;
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
        model.backward(loss.backward());
        return l;
    }

    @Override
    public double loss() {
        return loss.forward(model.forward(inputs, pass), targets);
    }
}
