package dev.tandem.tools.eval;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.models.mnist.MnistDigits;
import dev.tandem.learning.loss.SoftmaxCrossEntropy;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.AdaptiveActivation;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Lrsgd;
import dev.tandem.learning.optim.Objective;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Optimizers;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.optim.SalpSgd;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.optim.YamAdam;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.train.ClassifierTrainer;
import dev.tandem.learning.train.SupervisedObjective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seed optimizers side by side: the same MLP (784-256-256-10, ReLU, float32, initialised from the same seed)
 * on the fixed MNIST split ({@code MnistDigits.split(42, 8000)}: 8,000 training digits, 2,000 test digits never
 * trained on), trained by each method with the same budget of gradient evaluations and the same seeded stream of
 * shuffled mini-batches, then scored by test accuracy.
 *
 * <p><b>The budget.</b> Evaluations are counted where they happen, in the {@link Objective} the optimizer calls:
 * one {@code lossAndGradients()} (a forward and a backward pass) is one gradient evaluation; one forward-only
 * {@code loss()} (an S-SGD salp, or the food after its SGD step) counts as <b>1/3</b> of one, the usual cost of a
 * forward pass against forward + backward (a backward pass costs about two forwards: the input and the weight
 * gradients). A run ends at the first batch boundary at which the budget is spent: methods that take several
 * gradients per step (LRSGD's inner steps) stop mid-step, S-SGD may overshoot by less than one step (1 + (N+1)/3).
 * Every optimizer's inner steps draw fresh batches from the stream through {@link Objective#nextBatch()}; the
 * stream reshuffles the training digits (seeded) at every pass, and drops a last partial batch.
 *
 * <p><b>Training setup</b>, the same for every method: batch 64; training digits shifted by up to 2 pixels (seeded;
 * test digits never shifted); the learning rate of every method that has one follows a cosine decay from its peak
 * to 1/100 of it over the budget (YamAdam has none and runs as it is; {@code --schedule constant} switches the
 * decay off). Without shifts this MLP overfits the 8,000 digits (training loss ~3e-4) and every method ends at
 * 0.92..0.96; without the decay the last constant-lr iterates are noisy enough to move the test accuracy by a
 * point from seed to seed.
 *
 * <p><b>Defaults</b> (peak values; picked once, not tuned per seed), each run's string is in its result:
 * <ul>
 *   <li>sgd: lr 0.05, momentum 0.9 (heavy ball).
 *   <li>adam: lr 1e-3, betas 0.9 / 0.999, eps 1e-8.
 *   <li>yamadam: eps 1e-6 (it has no other hyperparameter).
 *   <li>lrsgd-c and lrsgd-r: the reference defaults lr 0.1, lambda_w 0.01, momentum 0.9, weight decay 1e-4;
 *       C: M = 10 with step lr/(i+1); R: constant step, M ~ Geometric(0.1) (seeded).
 *   <li>s-sgd: the food follows the SGD above (lr 0.05, momentum 0.9); N = 2 salps (one leader, one follower);
 *       window r = 0.001; c1 horizon 1/10 of the steps the budget allows; the schedule restarts after 50 steps
 *       without the food's loss improving. A step costs 1 + 3·(1/3) = 2 evaluations, so S-SGD takes half the
 *       steps of SGD.
 *   <li>adam+n-laaf: the Adam above; every hidden ReLU neuron-wise adaptive with n = 10 (a = 0.1), slope
 *       recovery W_a = 1.
 * </ul>
 * Loss curve: the cross-entropy on the 8,000 training digits in inference mode, without the slope-recovery
 * term, after each tenth of the budget (measured outside the timed training).
 */
public final class OptimizerComparison {
    /** The methods compared, in report order. */
    public static final List<String> NAMES = List.of("sgd", "adam", "yamadam", "lrsgd-c", "lrsgd-r", "s-sgd", "adam+n-laaf");
    /** Cost of a forward-only evaluation in gradient evaluations. */
    public static final double FORWARD_COST = 1.0 / 3.0;
    public static final long SPLIT_SEED = 42;
    public static final int TRAIN_DIGITS = 8000;
    public static final int HIDDEN = 256;
    public static final int CHECKPOINTS = 10;

    public record Settings(long budget, int batch, long seed, int maxShift, boolean cosine, List<String> only) {
        public Settings {
            require(budget >= CHECKPOINTS, "--budget", budget, ">= " + CHECKPOINTS + " gradient evaluations");
            require(batch >= 1 && batch <= TRAIN_DIGITS, "--batch", batch, "1.." + TRAIN_DIGITS);
            require(maxShift >= 0 && maxShift <= 8, "--shift", maxShift, "0..8");
            only = only == null || only.isEmpty() ? NAMES : List.copyOf(only);
            for (String n : only) {
                require(NAMES.contains(n), "--only", n, String.join(", ", NAMES));
            }
        }
    }

    /** One optimizer's result. */
    /** One optimizer's result; {@code jumps} counts S-SGD's swarm wins (-1 for the other methods). */
    public record Entry(String name, String hyperparameters, double accuracy, double[] lossCurve, double seconds,
                        double evaluations, long gradientEvaluations, long forwardEvaluations, long steps, long jumps) {
    }

    public interface Listener {
        void start(String name, String hyperparameters);

        void progress(String name, double used, long budget, double loss);

        void done(Entry entry);
    }

    private final Settings settings;
    private final Backend backend;

    public OptimizerComparison(Settings settings, Backend backend) {
        this.settings = settings;
        this.backend = backend;
    }

    public List<Entry> run(MnistDigits digits, Listener listener) {
        MnistDigits.Split split = digits.split(SPLIT_SEED, TRAIN_DIGITS);
        List<Entry> out = new ArrayList<>();
        for (String name : NAMES) {
            if (settings.only().contains(name)) {
                out.add(runOne(name, digits, split, listener));
            }
        }
        return out;
    }

    /** The MLP, with neuron-wise adaptive ReLUs (n = 10) when asked. */
    public static Sequential mlp(Backend backend, long seed, boolean adaptive) {
        LayerSpec act = adaptive ? AdaptiveActivation.Spec.neuronWise(Activation.RELU, 10) : ActivationLayer.relu();
        return new Sequential(backend, DType.FLOAT32, new int[] {784}, List.of(
                new Dense.Spec(HIDDEN), act, new Dense.Spec(HIDDEN), act, new Dense.Spec(10)), seed);
    }

    /** The default optimizer of a method; {@code steps} is about how many steps the budget allows. */
    public static Optimizer optimizer(String name, long seed, long steps) {
        // each method's preset, built through the one optimizer registry ("adam+n-laaf" is Adam on an N-LAAF MLP)
        return Optimizers.create(switch (name) {
            case "sgd" -> Optimizers.Spec.of("sgd", 0.05, 0.9, seed);
            case "adam", "adam+n-laaf" -> Optimizers.Spec.of("adam", 1e-3, 0, seed);
            case "yamadam" -> Optimizers.Spec.of("yamadam", 0, 0, seed);
            case "lrsgd-c", "lrsgd-r" -> Optimizers.Spec.of(name, 0.1, 0.9, seed); // the paper's defaults
            case "s-sgd" -> new Optimizers.Spec("s-sgd", 0.05, 0.9, 2, 0.001, (int) Math.max(1, steps / 10), 50, seed);
            default -> throw new IllegalArgumentException("unknown optimizer " + name + "; allowed: " + String.join(", ", NAMES));
        });
    }

    /**
     * The optimizer with its learning rate on the cosine schedule from the peak lr to lr/100 over the budget
     * (progress in [0, 1]); YamAdam has no learning rate and is returned as it is.
     */
    public static Optimizer scheduled(Optimizer o, double progress) {
        double f = 0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
        if (o instanceof Sgd s) {
            return new Sgd(s.lr() * f, s.momentum(), s.weightDecay());
        } else if (o instanceof Adam a) {
            return new Adam(a.lr() * f, a.beta1(), a.beta2(), a.eps());
        } else if (o instanceof Lrsgd l) {
            return l.withLr(l.lr() * f);
        } else if (o instanceof SalpSgd s) {
            return s.withLr(s.lr() * f);
        }
        return o;
    }

    /** Gradient evaluations one step of the method costs, for sizing its schedules. */
    static double costPerStep(Optimizer o) {
        if (o instanceof SalpSgd s) {
            return 1 + (s.population() + 1) * FORWARD_COST;
        }
        return 1;
    }

    private Entry runOne(String name, MnistDigits digits, MnistDigits.Split split, Listener listener) {
        Optimizer probe = optimizer(name, settings.seed(), settings.budget());
        Optimizer optimizer = optimizer(name, settings.seed(), (long) (settings.budget() / costPerStep(probe)));
        return train(name, optimizer, name.endsWith("n-laaf"), digits, split, listener);
    }

    /** Trains the MLP (adaptive or not) with any optimizer under the settings' budget, and scores it. */
    public Entry train(String name, Optimizer optimizer, boolean adaptive, MnistDigits digits, Listener listener) {
        return train(name, optimizer, adaptive, digits, digits.split(SPLIT_SEED, TRAIN_DIGITS), listener);
    }

    private Entry train(String name, Optimizer optimizer, boolean adaptive, MnistDigits digits, MnistDigits.Split split,
                        Listener listener) {
        Sequential model = mlp(backend, settings.seed(), adaptive);
        String hyper = optimizer.toString() + (adaptive ? " + N-LAAF (ReLU, n = 10, W_a = 1)" : "");
        listener.start(name, hyper);
        OptimizerState state = optimizer.init(model.params());
        Stream stream = new Stream(model, digits, split.train(), settings, name, listener);
        long steps = 0;
        long started = System.nanoTime();
        stream.nextBatch();
        while (true) {
            Optimizer now = settings.cosine() ? scheduled(optimizer, stream.cost() / settings.budget()) : optimizer;
            double loss = now.step(stream, model.params(), state);
            steps++;
            stream.lastLoss = loss;
            if (!stream.nextBatch()) {
                break;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9 - stream.checkpointSeconds;
        stream.checkpointsUpTo(CHECKPOINTS);
        ClassifierTrainer scorer = new ClassifierTrainer(model, optimizer, state);
        double accuracy = MnistEvaluation.accuracy(scorer, digits, split.test());
        long jumps = state.scalars().containsKey("jumps") ? state.scalars().get("jumps").longValue() : -1;
        Entry e = new Entry(name, hyper, accuracy, stream.curve, seconds, stream.cost(), stream.gradients,
                stream.forwards, steps, jumps);
        listener.done(e);
        return e;
    }

    /**
     * The training stream as an objective: the current mini-batch, the evaluation counts and the budget; the loss
     * checkpoints are taken as the stream moves past each tenth of the budget.
     */
    private final class Stream implements Objective {
        private final Sequential model;
        private final MnistDigits digits;
        private final int[] train;
        private final Settings s;
        private final String name;
        private final Listener listener;
        private final SupervisedObjective objective;
        private final SplittableRandom rng;
        private final SplittableRandom shiftRng;
        private final int px;
        private final float[] hx;
        private final float[] ht;
        private final Tensor x;
        private final Tensor t;
        private int[] order;
        private int cursor;
        private long batches;
        long gradients;
        long forwards;
        double lastLoss = Double.NaN;
        final double[] curve = new double[CHECKPOINTS];
        int checkpoints;
        double checkpointSeconds;

        Stream(Sequential model, MnistDigits digits, int[] train, Settings s, String name, Listener listener) {
            this.model = model;
            this.digits = digits;
            this.train = train;
            this.s = s;
            this.name = name;
            this.listener = listener;
            this.objective = new SupervisedObjective(model, new SoftmaxCrossEntropy());
            this.rng = new SplittableRandom(CounterRng.mix(s.seed(), 0x5EED));
            this.shiftRng = new SplittableRandom(CounterRng.mix(s.seed(), 0x5F1F7));
            this.px = digits.rows() * digits.cols();
            this.hx = new float[s.batch() * px];
            this.ht = new float[s.batch() * 10];
            this.x = backend.zeros(DType.FLOAT32, s.batch(), px);
            this.t = backend.zeros(DType.FLOAT32, s.batch(), 10);
            Arrays.fill(curve, Double.NaN);
        }

        double cost() {
            return gradients + forwards * FORWARD_COST;
        }

        @Override
        public double lossAndGradients() {
            gradients++;
            return objective.lossAndGradients();
        }

        @Override
        public double loss() {
            forwards++;
            return objective.loss();
        }

        @Override
        public boolean nextBatch() {
            double used = cost();
            checkpointsUpTo((int) Math.min(CHECKPOINTS - 1, Math.floor(used * CHECKPOINTS / s.budget())));
            if (batches > 0) {
                listener.progress(name, used, s.budget(), lastLoss);
            }
            if (used >= s.budget()) {
                return false;
            }
            if (order == null || cursor + s.batch() > order.length) {
                order = train.clone();
                shuffle(order, rng);
                cursor = 0;
            }
            Arrays.fill(ht, 0f);
            for (int i = 0; i < s.batch(); i++) {
                int idx = order[cursor + i];
                MnistEvaluation.shifted(digits.image(idx), digits.rows(), digits.cols(), shiftRng, s.maxShift(), hx, i * px);
                ht[i * 10 + digits.label(idx)] = 1f;
            }
            cursor += s.batch();
            backend.copyFromHost(hx, x);
            backend.copyFromHost(ht, t);
            objective.on(x, t, Pass.training(CounterRng.mix(s.seed(), batches)));
            batches++;
            return true;
        }

        /** Records the training loss for every checkpoint up to k (1-based tenths) not yet recorded. */
        void checkpointsUpTo(int k) {
            if (checkpoints >= k) {
                return;
            }
            long t0 = System.nanoTime();
            double loss = trainingLoss();
            while (checkpoints < k) {
                curve[checkpoints++] = loss;
            }
            checkpointSeconds += (System.nanoTime() - t0) / 1e9;
        }

        private double trainingLoss() {
            int chunk = 500;
            Tensor cx = backend.zeros(DType.FLOAT32, chunk, px);
            Tensor ct = backend.zeros(DType.FLOAT32, chunk, 10);
            float[] bx = new float[chunk * px];
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
            double sum = 0;
            int counted = 0;
            for (int first = 0; first + chunk <= train.length; first += chunk) {
                float[] bt = new float[chunk * 10];
                for (int i = 0; i < chunk; i++) {
                    int idx = train[first + i];
                    System.arraycopy(digits.image(idx), 0, bx, i * px, px);
                    bt[i * 10 + digits.label(idx)] = 1f;
                }
                backend.copyFromHost(bx, cx);
                backend.copyFromHost(bt, ct);
                sum += ce.forward(model.forward(cx, Pass.INFERENCE), ct) * chunk;
                counted += chunk;
            }
            return sum / counted;
        }
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
