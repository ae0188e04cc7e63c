package dev.tandem.models.decision;

import dev.tandem.learning.tensor.Backend;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A second, cheap classifier that reads the whole softmax vector p(x) of a base network and decides the class
 * (ALGORITHMS.md §7, after Monteiro et al. 2019): prediction = decide(p(x)) instead of argmax p(x). It learns from
 * labelled pairs (p(x), y) kept in a bounded {@link PairReservoir}. Prequential use: {@link #decide} first, then
 * {@link #learn} — a stage never learns from a pair before it has been asked about it.
 *
 * <p>Two algorithms: {@link SvmDecision} (RBF-kernel SVM by LIBSVM, retrained periodically from the reservoir) and
 * {@link MlpDecision} (a small MLP of Tandem's layers, a few Adam steps per batch of new pairs). Until its first
 * training a stage is not {@link #ready()} and {@link #decide} returns −1 (the caller falls back to argmax).
 * {@link #write}/{@link #read} give a versioned binary encoding (Flink keyed state, tests).
 */
public abstract sealed class DecisionStage permits SvmDecision, MlpDecision {
    /** The encoding's format. */
    public static final int FORMAT = 1;
    private static final float LOG_FLOOR = 1e-6f;
    protected final DecisionSettings settings;
    protected final int classes;
    protected final PairReservoir reservoir;
    /** Trainings (SVM) or optimizer steps (MLP) so far: the decision stage's model version. */
    protected long version;

    protected DecisionStage(DecisionSettings settings, int classes, PairReservoir reservoir) {
        if (classes < 2) {
            throw new IllegalArgumentException("a decision stage needs >= 2 classes, got " + classes);
        }
        this.settings = settings;
        this.classes = classes;
        this.reservoir = reservoir;
    }

    /** A fresh stage of the settings' algorithm for K classes; null for algorithm none. */
    public static DecisionStage create(DecisionSettings settings, int classes, Backend backend) {
        return switch (settings.algorithm()) {
            case "svm" -> new SvmDecision(settings, classes, new PairReservoir(settings.reservoir(), classes,
                    settings.seed()));
            case "mlp" -> new MlpDecision(settings, classes, new PairReservoir(settings.reservoir(), classes,
                    settings.seed()), backend);
            default -> null;
        };
    }

    /** "svm" or "mlp". */
    public abstract String algorithm();

    /** Whether the stage has been trained and decides. */
    public abstract boolean ready();

    /** The class for softmax vector p (length K), or −1 while not {@link #ready()}. Does not learn. */
    public final int decide(float[] p) {
        checkWidth(p);
        return ready() ? decideFeatures(features(p)) : -1;
    }

    /** Learns from a labelled pair: keeps it in the reservoir and trains when the algorithm's schedule says so. */
    public final void learn(float[] p, int label) {
        checkWidth(p);
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " outside 0.." + (classes - 1));
        }
        reservoir.add(features(p), label);
        afterAdd();
    }

    /** Trains now on the whole reservoir (the SVM) or takes one round of steps (the MLP), outside the schedule. */
    public abstract void trainNow();

    public final long version() {
        return version;
    }

    public final int classes() {
        return classes;
    }

    public final DecisionSettings settings() {
        return settings;
    }

    public final PairReservoir reservoir() {
        return reservoir;
    }

    protected abstract int decideFeatures(float[] f);

    protected abstract void afterAdd();

    /** The algorithm's own state after the common part. */
    protected abstract void writeModel(DataOutput out) throws IOException;

    /** The features of a softmax vector: as it is, or the log of each probability (floored at 1e-6). */
    protected final float[] features(float[] p) {
        float[] f = p.clone();
        if (settings.features().equals("log")) {
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) Math.log(Math.max(f[i], LOG_FLOOR));
            }
        }
        return f;
    }

    private void checkWidth(float[] p) {
        if (p.length != classes) {
            throw new IllegalArgumentException("softmax vector of " + p.length + " values, the stage has " + classes
                    + " classes");
        }
    }

    /**
     * int format (1) · UTF algorithm · the settings (int reservoir, UTF features, long seed, double C, double gamma,
     * int retrain-every, int hidden, double lr, int batch, int steps) · int K · long version · the reservoir
     * ({@link PairReservoir#write}) · the algorithm's model ({@link SvmDecision}, {@link MlpDecision}).
     */
    public final void write(DataOutput out) throws IOException {
        out.writeInt(FORMAT);
        out.writeUTF(algorithm());
        DecisionSettings s = settings;
        out.writeInt(s.reservoir());
        out.writeUTF(s.features());
        out.writeLong(s.seed());
        out.writeDouble(s.svmC());
        out.writeDouble(s.svmGamma());
        out.writeInt(s.svmRetrainEvery());
        out.writeInt(s.mlpHidden());
        out.writeDouble(s.mlpLearningRate());
        out.writeInt(s.mlpBatch());
        out.writeInt(s.mlpSteps());
        out.writeInt(classes);
        out.writeLong(version);
        reservoir.write(out);
        writeModel(out);
    }

    /** Reads what {@link #write} wrote; the MLP's tensors are placed on the given backend. */
    public static DecisionStage read(DataInput in, Backend backend) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("decision stage format " + format + " unsupported; this build reads " + FORMAT);
        }
        String algorithm = in.readUTF();
        DecisionSettings s;
        try {
            s = new DecisionSettings(algorithm, in.readInt(), in.readUTF(), in.readLong(), in.readDouble(),
                    in.readDouble(), in.readInt(), in.readInt(), in.readDouble(), in.readInt(), in.readInt());
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt decision stage settings: " + e.getMessage(), e);
        }
        int k = in.readInt();
        long version = in.readLong();
        if (k < 2 || k > 65536 || version < 0) {
            throw new IOException("corrupt decision stage: " + k + " classes, version " + version);
        }
        PairReservoir r = PairReservoir.read(in);
        if (r.width() != k) {
            throw new IOException("decision stage reservoir of width " + r.width() + " for " + k + " classes");
        }
        DecisionStage stage = switch (algorithm) {
            case "svm" -> SvmDecision.readModel(in, s, k, r);
            case "mlp" -> MlpDecision.readModel(in, s, k, r, backend);
            default -> throw new IOException("unknown decision stage algorithm '" + algorithm + "'");
        };
        stage.version = version;
        return stage;
    }
}
