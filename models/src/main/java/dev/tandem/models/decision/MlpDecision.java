package dev.tandem.models.decision;

import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.train.ClassifierTrainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * The MLP decision stage: K → hidden (ReLU) → K logits, Tandem's {@link Dense} layers, softmax cross-entropy, Adam
 * ({@link ClassifierTrainer}). Incremental: after every {@code mlpBatch} new pairs it takes {@code mlpSteps} Adam
 * steps, each on a minibatch of {@code mlpBatch} pairs drawn from the reservoir (indices a pure function of
 * (seed, step)), so recent pairs and older ones are replayed together. Ready after its first step.
 *
 * <p>Model encoding ({@link #writeModel}): int new pairs since the last update · int length · the model and its
 * Adam state in {@link ModelCodec} format.
 */
public final class MlpDecision extends DecisionStage {
    private static final long BATCH_SALT = 0x3A1D_5EED_0C0F_FEE5L;
    private final Sequential model;
    private final ClassifierTrainer trainer;
    private int sinceUpdate;

    MlpDecision(DecisionSettings settings, int classes, PairReservoir reservoir, Backend backend) {
        this(settings, classes, reservoir, new Sequential(backend, DType.FLOAT32, new int[] {classes},
                List.of(new Dense.Spec(settings.mlpHidden()), ActivationLayer.relu(), new Dense.Spec(classes)),
                settings.seed()), null);
    }

    private MlpDecision(DecisionSettings settings, int classes, PairReservoir reservoir, Sequential model,
                        OptimizerState state) {
        super(settings, classes, reservoir);
        this.model = model;
        Adam adam = new Adam(settings.mlpLearningRate());
        this.trainer = state == null ? new ClassifierTrainer(model, adam) : new ClassifierTrainer(model, adam, state);
    }

    @Override
    public String algorithm() {
        return "mlp";
    }

    @Override
    public boolean ready() {
        return version > 0;
    }

    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    protected int decideFeatures(float[] f) {
        return trainer.predict(f, 1)[0];
    }

    @Override
    protected void afterAdd() {
        if (++sinceUpdate >= settings.mlpBatch()) {
            trainNow();
        }
    }

    @Override
    public void trainNow() {
        int n = reservoir.size();
        if (n == 0) {
            return;
        }
        int b = Math.min(settings.mlpBatch(), n);
        float[] x = new float[b * classes];
        int[] y = new int[b];
        for (int s = 0; s < settings.mlpSteps(); s++) {
            for (int i = 0; i < b; i++) {
                int j = (int) (CounterRng.uniform(settings.seed() ^ BATCH_SALT, version * b + i) * n);
                reservoir.features(j, x, i * classes);
                y[i] = reservoir.label(j);
            }
            trainer.trainBatch(x, y, b);
            version++;
        }
        sinceUpdate = 0;
    }

    @Override
    protected void writeModel(DataOutput out) throws IOException {
        out.writeInt(sinceUpdate);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        ModelCodec.write(bytes, model, trainer.state());
        out.writeInt(bytes.size());
        out.write(bytes.toByteArray());
    }

    static MlpDecision readModel(DataInput in, DecisionSettings s, int k, PairReservoir r, Backend backend)
            throws IOException {
        int since = in.readInt();
        int length = in.readInt();
        if (since < 0 || length < 0 || length > 1 << 26) {
            throw new IOException("corrupt MLP decision stage (" + since + " pending, " + length + " bytes)");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(bytes), backend);
        if (saved.optimizerState() == null || saved.model().inputShape().length != 1
                || saved.model().inputShape()[0] != k) {
            throw new IOException("the MLP decision stage's model does not take " + k + " inputs or lacks its state");
        }
        MlpDecision d = new MlpDecision(s, k, r, saved.model(), saved.optimizerState());
        d.sinceUpdate = since;
        return d;
    }
}
