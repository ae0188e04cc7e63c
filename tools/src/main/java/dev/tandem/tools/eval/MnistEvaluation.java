package dev.tandem.tools.eval;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.models.mnist.MnistDigits;
import dev.tandem.learning.nets.ToolkitCnn;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Optimizers;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.train.ClassifierTrainer;

import java.util.SplittableRandom;

/**
 * Trains the toolkit CNN on the fixed MNIST split (seeded shuffle; first 8,000 train, last 2,000 test) and
 * measures test accuracy. Training digits may be shifted by up to {@code maxShift} pixels (seeded); test digits
 * are never trained on and never shifted. The learning rate follows a cosine decay over the run.
 */
public final class MnistEvaluation {

    public record Settings(int epochs, int batch, String optimizer, double lr, double momentum, int maxShift,
                           long splitSeed, long seed, int trainCount) {
        public Settings {
            require(epochs >= 1, "--epochs", epochs, ">= 1");
            require(batch >= 1 && batch <= 8000, "--batch", batch, "1..8000");
            require(Optimizers.NAMES.contains(optimizer), "--optimizer", optimizer, String.join(", ", Optimizers.NAMES));
            require(lr > 0 && Double.isFinite(lr), "--lr", lr, "> 0");
            require(momentum >= 0 && momentum < 1, "--momentum", momentum, "[0, 1)");
            require(maxShift >= 0 && maxShift <= 8, "--shift", maxShift, "0..8");
            require(trainCount >= 1 && trainCount < 10_000, "--train", trainCount, "1..9999");
        }
    }

    public record Result(double accuracy, long params, int epochs, double seconds, double finalLoss, int testCount) {
    }

    public interface Listener {
        void progress(int epoch, int done, int total, double loss, double samplesPerSecond);

        void epochEnd(int epoch, double loss, double testAccuracy, double seconds);
    }

    private final Settings settings;
    private final Backend backend;

    public MnistEvaluation(Settings settings, Backend backend) {
        this.settings = settings;
        this.backend = backend;
    }

    public Result run(MnistDigits digits, Listener listener) {
        MnistDigits.Split split = digits.split(settings.splitSeed(), settings.trainCount());
        int[] train = split.train();
        int[] test = split.test();
        Sequential model = ToolkitCnn.build(backend, DType.FLOAT32, settings.seed());
        ClassifierTrainer trainer = new ClassifierTrainer(model, optimizer(settings.lr()));
        int stepsPerEpoch = (train.length + settings.batch() - 1) / settings.batch();
        long totalSteps = (long) stepsPerEpoch * settings.epochs();
        SplittableRandom rng = new SplittableRandom(settings.seed());
        int px = digits.rows() * digits.cols();
        float[] x = new float[settings.batch() * px];
        int[] y = new int[settings.batch()];
        long started = System.nanoTime();
        double lastLoss = Double.NaN;
        long step = 0;
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            int[] order = train.clone();
            shuffle(order, rng);
            double lossSum = 0;
            int batches = 0;
            long epochStart = System.nanoTime();
            for (int first = 0; first < order.length; first += settings.batch()) {
                int n = Math.min(settings.batch(), order.length - first);
                for (int i = 0; i < n; i++) {
                    int idx = order[first + i];
                    shifted(digits.image(idx), digits.rows(), digits.cols(), rng, settings.maxShift(), x, i * px);
                    y[i] = digits.label(idx);
                }
                setLearningRate(trainer, step++, totalSteps);
                lastLoss = trainer.trainBatch(x, y, n);
                lossSum += lastLoss;
                batches++;
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                listener.progress(epoch, first + n, order.length, lossSum / batches, (first + n) / seconds);
            }
            double acc = accuracy(trainer, digits, test);
            listener.epochEnd(epoch, lossSum / batches, acc, (System.nanoTime() - started) / 1e9);
            if (epoch == settings.epochs()) {
                return new Result(acc, model.parameterCount(), settings.epochs(), (System.nanoTime() - started) / 1e9,
                        lossSum / batches, test.length);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private Optimizer optimizer(double lr) {
        return Optimizers.Spec.of(settings.optimizer(), lr, settings.momentum(), settings.seed()).build();
    }

    /** Cosine decay from lr to lr/100; optimizers are values, so the trainer takes a new one over the same state. */
    private void setLearningRate(ClassifierTrainer trainer, long step, long total) {
        double lr = settings.lr() * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * step / total)));
        trainer.setOptimizer(optimizer(lr));
    }

    static double accuracy(ClassifierTrainer trainer, MnistDigits digits, int[] indices) {
        int px = digits.rows() * digits.cols();
        int batch = 250;
        float[] x = new float[batch * px];
        int correct = 0;
        for (int first = 0; first < indices.length; first += batch) {
            int n = Math.min(batch, indices.length - first);
            for (int i = 0; i < n; i++) {
                System.arraycopy(digits.image(indices[first + i]), 0, x, i * px, px);
            }
            int[] pred = trainer.predict(x, n);
            for (int i = 0; i < n; i++) {
                if (pred[i] == digits.label(indices[first + i])) {
                    correct++;
                }
            }
        }
        return (double) correct / indices.length;
    }

    /** Copies an image shifted by a random offset in [−max, max]² (zeros shifted in) into dst at offset. */
    static void shifted(float[] img, int rows, int cols, SplittableRandom rng, int max, float[] dst, int offset) {
        int dy = max == 0 ? 0 : rng.nextInt(-max, max + 1);
        int dx = max == 0 ? 0 : rng.nextInt(-max, max + 1);
        for (int r = 0; r < rows; r++) {
            int sr = r - dy;
            for (int c = 0; c < cols; c++) {
                int sc = c - dx;
                dst[offset + r * cols + c] = sr >= 0 && sr < rows && sc >= 0 && sc < cols ? img[sr * cols + sc] : 0f;
            }
        }
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
