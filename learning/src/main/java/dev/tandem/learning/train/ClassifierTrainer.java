package dev.tandem.learning.train;

import dev.tandem.learning.loss.SoftmaxCrossEntropy;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.nn.Workspace;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;

/**
 * Trains a classifier (a model whose output is logits [N, K]) on host mini-batches with softmax cross-entropy,
 * and predicts class probabilities. The pass seed of step s is a function of (model seed, s), so training is
 * reproducible from a saved model, its optimizer state and the step counter (the optimizer state's step). Every
 * step runs under a {@link TrainingGuard} (clipping off by default): a step with a non-finite loss, gradient or result
 * leaves the model and the optimizer state bit for bit as they were.
 */
public final class ClassifierTrainer {
    private static final long PASS_SALT = 0x7A4D3E0F5B1C2A69L;
    private final Sequential model;
    private Optimizer optimizer;
    private TrainingGuard guard = TrainingGuard.DEFAULT;
    private final OptimizerState state;
    private final int classes;
    private final SupervisedObjective objective;
    // a predicted window (batch 1) and a training mini-batch alternate: two shapes kept each
    private final Workspace inputBuffers = new Workspace();
    private final Workspace targetBuffers = new Workspace();
    private final Workspace probBuffers = new Workspace();
    private Tensor x;
    private Tensor targets;
    private Tensor probs;

    public ClassifierTrainer(Sequential model, Optimizer optimizer) {
        this(model, optimizer, optimizer.init(model.params()));
    }

    public ClassifierTrainer(Sequential model, Optimizer optimizer, OptimizerState state) {
        this.model = model;
        this.optimizer = optimizer;
        this.state = state;
        int[] out = model.outputShape();
        if (out.length != 1) {
            throw new IllegalArgumentException("a classifier's output must be a vector of logits, got "
                    + Arrays.toString(out));
        }
        this.classes = out[0];
        this.objective = new SupervisedObjective(model, new SoftmaxCrossEntropy());
    }

    /** One optimizer step on n examples (inputs row-major, n × example size); returns the mini-batch loss. */
    public double trainBatch(float[] inputs, int[] labels, int n) {
        return train(inputs, labels, n).loss();
    }

    /** {@link #trainBatch}, saying whether the guard refused the step and why. */
    public TrainingGuard.Outcome train(float[] inputs, int[] labels, int n) {
        loadBatch(inputs, n);
        float[] t = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " outside 0.." + (classes - 1));
            }
            t[i * classes + y] = 1f;
        }
        targets = targetBuffers.ensure(model.backend(), model.dtype(), n, classes);
        copyIn(t, targets);
        Pass pass = Pass.training(CounterRng.mix(model.seed() ^ PASS_SALT, state.step()));
        return guard.step(optimizer, objective.on(x, targets, pass), model.params(), model.buffers(), state);
    }

    /** Class probabilities in inference mode, n × K row-major. */
    public float[] predictProbabilities(float[] inputs, int n) {
        loadBatch(inputs, n);
        Tensor logits = model.forward(x, Pass.INFERENCE);
        probs = probBuffers.ensure(model.backend(), model.dtype(), n, classes);
        model.backend().softmaxRows(logits, probs);
        return probs.toFloatArray();
    }

    /**
     * Adapts batch-normalisation statistics to n unlabelled examples, without any label and without touching
     * parameters or optimizer state (AdaBN-style, Li et al. 2016): one forward pass in training mode, so every
     * batch-norm layer moves its running mean and variance toward this batch's statistics by its momentum. The
     * pass seed is fixed (this is not a training step), so only models without dropout should rely on it.
     */
    public void adaptNormalisation(float[] inputs, int n) {
        loadBatch(inputs, n);
        model.forward(x, Pass.training(CounterRng.mix(model.seed() ^ PASS_SALT, -1)));
    }

    /** Predicted classes (argmax of the probabilities) for n examples. */
    public int[] predict(float[] inputs, int n) {
        float[] p = predictProbabilities(inputs, n);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (p[i * classes + k] > p[i * classes + best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Replaces the optimizer by one of the same kind (a new learning rate, say), keeping its state. */
    public void setOptimizer(Optimizer next) {
        if (!next.name().equals(state.optimizer())) {
            throw new IllegalArgumentException("optimizer " + next.name() + " cannot take over the state of "
                    + state.optimizer());
        }
        this.optimizer = next;
    }

    /** The guard of the next steps (clipping, fault threshold). */
    public void setGuard(TrainingGuard next) {
        this.guard = java.util.Objects.requireNonNull(next);
    }

    public TrainingGuard guard() {
        return guard;
    }

    public Sequential model() {
        return model;
    }

    public OptimizerState state() {
        return state;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public int classes() {
        return classes;
    }

    private void loadBatch(float[] inputs, int n) {
        int per = Shapes.size(model.inputShape());
        if (inputs.length < n * per) {
            throw new IllegalArgumentException("batch of " + n + " needs " + n * per + " values, got " + inputs.length);
        }
        x = inputBuffers.ensure(model.backend(), model.dtype(), Shapes.prepend(n, model.inputShape()));
        copyIn(inputs.length == n * per ? inputs : Arrays.copyOf(inputs, n * per), x);
    }

    private void copyIn(float[] values, Tensor t) {
        Backend b = model.backend();
        if (model.dtype() == DType.FLOAT32) {
            b.copyFromHost(values, t);
        } else {
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = values[i];
            }
            b.copyFromHost(d, t);
        }
    }
}
