package dev.tandem.learning.al;

import dev.tandem.learning.tensor.Tensor;

/**
 * The synchronous single-process AL trainer: one mini-batch goes through component 1, 2, ..., L; each component
 * takes one step of its two local losses and hands on (s_l, t_l) computed with its pre-step parameters. Because
 * no component reads another's parameters, this is the same computation as L pipeline stages fed the same
 * batches, without the staleness of concurrent stages.
 */
public final class AlTrainer {
    private final AlModel model;

    /** The local losses of one step, per component (index 0 = component 1). */
    public record Losses(double[] association, double[] autoencoder) {
        /** Component 1's autoencoder loss: the loss of the model's output h_1 against y. */
        public double output() {
            return autoencoder[0];
        }
    }

    public AlTrainer(AlModel model) {
        this.model = model;
    }

    /** One step on a batch x [N, input...] with targets y [N, targetWidth]. */
    public Losses step(Tensor x, Tensor y) {
        int depth = model.depth();
        double[] as = new double[depth];
        double[] ae = new double[depth];
        Tensor s = x;
        Tensor t = y;
        for (int i = 0; i < depth; i++) {
            StepResult r = model.component(i).trainStep(s, t);
            as[i] = r.associationLoss();
            ae[i] = r.autoencoderLoss();
            s = r.s();
            t = r.t();
        }
        return new Losses(as, ae);
    }

    /** One step on n examples (row-major host inputs) with class labels, y one-hot. */
    public Losses trainBatch(float[] inputs, int[] labels, int n) {
        return trainBatch(inputs, HostBatch.oneHot(labels, n, model.targetWidth()), n);
    }

    /** One step on n examples with target vectors (n × targetWidth). */
    public Losses trainBatch(float[] inputs, float[] targets, int n) {
        AlComponent first = model.component(0);
        var backend = first.encoder().backend();
        var dtype = first.encoder().dtype();
        Tensor x = HostBatch.tensor(backend, dtype, inputs, n, model.inputShape());
        Tensor y = HostBatch.tensor(backend, dtype, targets, n, new int[] {model.targetWidth()});
        return step(x, y);
    }

    public AlModel model() {
        return model;
    }
}
