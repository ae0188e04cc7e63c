package dev.tandem.tools.eval;

import dev.tandem.learning.al.AlArchitecture;
import dev.tandem.learning.al.AlInference;
import dev.tandem.learning.al.AlInit;
import dev.tandem.learning.al.AlModel;
import dev.tandem.learning.al.AlOptimizers;
import dev.tandem.learning.al.AlTrainer;
import dev.tandem.learning.al.BackpropBaseline;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.train.ClassifierTrainer;

import java.util.SplittableRandom;

/**
 * Associated Learning against its parameter-matched backprop baseline ({@link BackpropBaseline}) on one data set,
 * with the same budget: the same training examples, in the same seeded order per epoch, the same mini-batch and
 * number of epochs; then the accuracy of both on the same held-out examples. AL trains by the synchronous
 * single-process trainer ({@link AlTrainer}), which the stage operators reproduce bit for bit; the baseline by
 * cross-entropy with Adam ({@link ClassifierTrainer}).
 */
public final class AlEvaluation {
    private static final long ORDER_SALT = 0x414C4556L;

    /** A data set as indexable examples: copy example i into dst at offset, and its class. */
    public interface Examples {
        int size();

        void fill(int i, float[] dst, int offset);

        int label(int i);
    }

    /**
     * @param associationLr AL's f/b rate (and the baseline's Adam rate)
     * @param autoencoderLr AL's g/h rate
     */
    public record Settings(int epochs, int batch, double associationLr, double autoencoderLr, long seed) {
        public Settings {
            require(epochs >= 1, "--epochs", epochs, ">= 1");
            require(batch >= 1, "--batch", batch, ">= 1");
            require(associationLr > 0 && Double.isFinite(associationLr), "--lr", associationLr, "> 0");
            require(autoencoderLr > 0 && Double.isFinite(autoencoderLr), "--ae-lr", autoencoderLr, "> 0");
        }
    }

    /** Accuracies in [0, 1], parameter counts, training seconds of each. */
    public record Result(String set, double alAccuracy, double bpAccuracy, long alParameters, long bpParameters,
                         String baseline, double alSeconds, double bpSeconds, int trainExamples, int testExamples,
                         int epochs) {
        /** Backprop minus AL, in accuracy points (percent). */
        public double gapPoints() {
            return 100 * (bpAccuracy - alAccuracy);
        }
    }

    public interface Listener {
        void epoch(String model, int epoch, int epochs, double loss, double seconds);
    }

    private final Settings settings;
    private final Backend backend;

    public AlEvaluation(Settings settings, Backend backend) {
        this.settings = settings;
        this.backend = backend;
    }

    public Result run(String set, AlArchitecture arch, Examples train, Examples test, Listener listener) {
        AlOptimizers optimizers = new AlOptimizers(new Adam(settings.associationLr()), new Adam(settings.autoencoderLr()));
        AlModel al = AlModel.create(arch, backend, DType.FLOAT32, settings.seed(), optimizers);
        BackpropBaseline.Baseline bp = BackpropBaseline.matching(al, arch.init(), Activation.RELU,
                CounterRng.mix(settings.seed(), 0xB9));
        AlTrainer alTrainer = new AlTrainer(al);
        ClassifierTrainer bpTrainer = new ClassifierTrainer(bp.network(), new Adam(settings.associationLr()));
        int per = Shapes.size(arch.inputShape());
        float[] x = new float[settings.batch() * per];
        int[] y = new int[settings.batch()];

        long start = System.nanoTime();
        for (int e = 1; e <= settings.epochs(); e++) {
            int[] order = order(train.size(), e);
            double loss = 0;
            int steps = 0;
            for (int first = 0; first < order.length; first += settings.batch()) {
                int n = fill(train, order, first, x, y);
                loss += alTrainer.trainBatch(x, y, n).output();
                steps++;
            }
            listener.epoch("al", e, settings.epochs(), loss / steps, (System.nanoTime() - start) / 1e9);
        }
        double alSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        for (int e = 1; e <= settings.epochs(); e++) {
            int[] order = order(train.size(), e);
            double loss = 0;
            int steps = 0;
            for (int first = 0; first < order.length; first += settings.batch()) {
                int n = fill(train, order, first, x, y);
                loss += bpTrainer.trainBatch(x, y, n);
                steps++;
            }
            listener.epoch("backprop", e, settings.epochs(), loss / steps, (System.nanoTime() - start) / 1e9);
        }
        double bpSeconds = (System.nanoTime() - start) / 1e9;

        AlInference inference = AlInference.of(al);
        int[] all = new int[test.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        int alCorrect = 0;
        int bpCorrect = 0;
        for (int first = 0; first < all.length; first += settings.batch()) {
            int n = fill(test, all, first, x, y);
            int[] a = inference.predictClasses(x, n);
            int[] b = bpTrainer.predict(x, n);
            for (int i = 0; i < n; i++) {
                alCorrect += a[i] == y[i] ? 1 : 0;
                bpCorrect += b[i] == y[i] ? 1 : 0;
            }
        }
        return new Result(set, alCorrect / (double) test.size(), bpCorrect / (double) test.size(),
                al.parameterCount(), bp.baselineParameters(), bp.describe(), alSeconds, bpSeconds, train.size(),
                test.size(), settings.epochs());
    }

    /** The training examples' order in an epoch: a seeded shuffle, the same for both models. */
    private int[] order(int n, int epoch) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        SplittableRandom r = new SplittableRandom(CounterRng.mix(settings.seed() ^ ORDER_SALT, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    private static int fill(Examples ex, int[] order, int first, float[] x, int[] y) {
        int n = Math.min(y.length, order.length - first);
        int per = x.length / y.length;
        for (int i = 0; i < n; i++) {
            ex.fill(order[first + i], x, i * per);
            y[i] = ex.label(order[first + i]);
        }
        return n;
    }

    private static void require(boolean ok, String option, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException("invalid value " + value + " for " + option + "; allowed: " + allowed);
        }
    }
}
