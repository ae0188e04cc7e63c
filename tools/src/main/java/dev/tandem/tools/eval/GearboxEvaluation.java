package dev.tandem.tools.eval;

import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetPrediction;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.GearboxCnnFactory;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.gearbox.VibrationRecording;
import dev.tandem.models.gearbox.Windowing;
import dev.tandem.models.gearbox.Windowing.Window;
import dev.tandem.models.gearbox.GearboxCnn;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Offline prequential learning of the gearbox base network over a canonical vibration data set, in stream order.
 *
 * <ol>
 *   <li>Every recording is cut into windows, split by time ({@link Windowing}): the last 20% of every recording is
 *       the holdout, never trained on.</li>
 *   <li><b>Stream</b>: the training-part windows of the (source) machines, interleaved as concurrent machines and
 *       classes would arrive ({@link Windowing#interleave}, seeded), each recording's windows in time order. The
 *       stream goes through {@link FleetLearner#observe}, the streaming job's own step: every window is predicted
 *       first, then learned from, one Adam step per mini-batch of {@code batch} labelled windows (so the windows of
 *       a mini-batch are all predicted with the model as it was before that batch). The share of correct first
 *       predictions is the <b>prequential accuracy</b> (first pass only).</li>
 *   <li>Further passes ({@code epochs} &gt; 1, DESIGN for the offline evaluation): the same training windows, in a
 *       fresh seeded interleaving each pass, learned from without scoring; the learning rate is constant during the
 *       first pass and decays along a cosine to 1/20 of it over the further passes.</li>
 *   <li><b>Holdout accuracy</b>: the holdout windows of the source machines, predicted after all learning.</li>
 *   <li>With a <b>shift</b> machine M: M's recordings are left out of the stream above; afterwards the stream goes on
 *       with M's training-part windows, UNLABELLED: each batch is predicted first (those predictions give the
 *       <b>shift accuracy</b>; the labels are read only to score), then, with {@code adapt}, the batch adapts the
 *       batch-norm running statistics (AdaBN-style, {@link FleetLearner#adaptNormalisation}: a forward pass in
 *       training mode, no label, no parameter change). M's holdout windows are scored at the end (shift holdout
 *       accuracy).</li>
 * </ol>
 * Every window may get seeded white Gaussian noise at a given SNR ({@link Windowing#addNoise}; the draws are a
 * function of (seed, recording, first sample), so a window is the same in every pass) and is then normalised per
 * channel ({@link Windowing#normalise}) unless normalisation is off.
 */
public final class GearboxEvaluation {
    private static final long NOISE_SALT = 0x4E01_5E5A_17B0_0C3DL;
    private static final long ORDER_SALT = 0x0D3E_A5F1_77C2_9B13L;
    private static final long JITTER_SALT = 0x6A17_7E55_0FF5_E7D1L;
    private static final int PREDICT_BATCH = 128;

    public record Settings(int window, int hop, int holdoutHop, List<String> machines, Double snrDb, String shiftTo,
                           int epochs, int batch, double lr, long seed, boolean normalise, boolean adapt,
                           boolean jitter, boolean orderTracking) {
        /** Settings without order tracking (the default, docs/GEARBOX.md). */
        public Settings(int window, int hop, int holdoutHop, List<String> machines, Double snrDb, String shiftTo,
                        int epochs, int batch, double lr, long seed, boolean normalise, boolean adapt, boolean jitter) {
            this(window, hop, holdoutHop, machines, snrDb, shiftTo, epochs, batch, lr, seed, normalise, adapt, jitter,
                    false);
        }

        /** These settings learning from {@code machines} and shifting to {@code target}. */
        public Settings withShift(List<String> sources, String target) {
            List<String> both = new ArrayList<>(sources);
            both.add(target);
            return new Settings(window, hop, holdoutHop, both, snrDb, target, epochs, batch, lr, seed, normalise, adapt,
                    jitter, orderTracking);
        }

        public Settings {
            int min = GearboxCnn.minimumWindow(GearboxCnn.DEFAULT);
            require(window >= min, "--window", window, ">= " + min + " (the gearbox network's shortest input)");
            require(hop >= 1, "--hop", hop, ">= 1");
            require(holdoutHop >= 1, "--holdout-hop", holdoutHop, ">= 1");
            require(snrDb == null || Double.isFinite(snrDb), "--snr", snrDb, "a finite number of decibels");
            require(epochs >= 1, "--epochs", epochs, ">= 1");
            require(batch >= 1 && batch <= 4096, "--batch", batch, "1..4096");
            require(lr > 0 && Double.isFinite(lr), "--lr", lr, "> 0");
            machines = machines == null ? List.of() : List.copyOf(machines);
        }
    }

    public record Result(double prequentialAccuracy, double holdoutAccuracy, Double shiftAccuracy,
                         Double shiftHoldoutAccuracy, List<String> classes, int windows, int holdoutWindows,
                         int shiftWindows, int shiftHoldoutWindows, int channels, double sampleRateHz, long params,
                         int epochs, double finalLoss, double seconds, Confusion prequential, Confusion holdout,
                         Confusion shift, Confusion shiftHoldout) {
    }

    /** Progress of a run (all calls on the running thread). */
    public interface Listener {
        default void loaded(int recordings, long samples, int channels, List<String> classes, double seconds) {
        }

        /** A phase: "pass 1/5", "holdout", "shift", "shift holdout". */
        default void progress(String phase, int done, int total, double loss, double accuracy) {
        }

        default void passEnd(int pass, int passes, double loss, double prequentialAccuracy, double seconds) {
        }

        /** A window of the first pass as the learner saw it (raw samples, [C × N]), its label and the prediction. */
        default void observed(float[] window, String label, FleetPrediction prediction) {
        }
    }

    private final Settings settings;
    private final Backend backend;
    /** The model file every fleet starts from ({@code --initial-model}); null: the seeded initial weights. */
    private dev.tandem.learning.io.ModelSeed initialModel;
    private final Windowing windowing;
    private List<VibrationRecording> recordings;
    private int[] classOf;
    private int channels;

    public GearboxEvaluation(Settings settings, Backend backend) {
        this.settings = settings;
        this.backend = backend;
        this.windowing = new Windowing(settings.window(), settings.hop(), settings.holdoutHop(),
                Windowing.DEFAULT_HOLDOUT_FRACTION);
    }

    /** Fleets start from this model file's weights (and optimizer state) instead of fresh ones; null: fresh. */
    public GearboxEvaluation withInitialModel(dev.tandem.learning.io.ModelSeed seed) {
        this.initialModel = seed;
        return this;
    }

    /** The loaded data set cut into windows: the stream's and the holdout's, of the source and the shift machines. */
    public record Prepared(List<String> classes, List<List<Window>> sourceTrain, List<List<Window>> shiftTrain,
                           List<Window> sourceHoldout, List<Window> shiftHoldout, int streamSize, long started) {
    }

    /** What the passes over the stream left: the first pass's prequential counts, the last pass's mean loss. */
    public record Training(Confusion prequential, double passLoss, int passes, long steps, double seconds,
                           double cpuSeconds) {
    }

    /**
     * Called after every pass, outside the timed part, with the wall-clock and the process CPU seconds of the passes
     * so far; false stops the training.
     */
    public interface PassHook {
        boolean afterPass(int pass, long steps, double trainingSeconds, double cpuSeconds);
    }

    /** CPU seconds used by this process so far (every thread: the backend's workers too), or NaN where unknown. */
    public static double processCpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            long ns = os.getProcessCpuTime();
            return ns < 0 ? Double.NaN : ns / 1e9;
        }
        return Double.NaN;
    }

    public Result run(VibrationManifest manifest, Listener listener) throws IOException {
        Prepared prep = prepare(manifest, listener);
        List<String> classes = prep.classes();
        Fleet fleet = newFleet(classes);
        Sequential model = fleet.state().model;
        int per = channels * settings.window();
        float[] x = new float[Math.max(settings.batch(), PREDICT_BATCH) * per];
        int[] labels = new int[Math.max(settings.batch(), PREDICT_BATCH)];
        Training training = train(prep, fleet, settings.epochs(), listener, (pass, steps, seconds, cpu) -> true);
        Confusion prequential = training.prequential();
        double passLoss = training.passLoss();
        long started = prep.started();
        Confusion holdout = score(fleet, prep.sourceHoldout(), "holdout", x, labels, classes.size(), listener);

        Confusion shift = null;
        Confusion shiftHoldout = null;
        int shiftWindows = 0;
        if (settings.shiftTo() != null) {
            List<Window> stream = Windowing.interleave(prep.shiftTrain(), CounterRng.mix(settings.seed() ^ ORDER_SALT, 0));
            shift = new Confusion(classes.size());
            for (int first = 0; first < stream.size(); first += settings.batch()) {
                int n = Math.min(settings.batch(), stream.size() - first);
                fill(stream, first, n, x, labels);
                double[] rpms = rpms(stream, first, n);
                shift.add(labels, fleet.predict(x, n, rpms), n); // labels only score the predictions
                if (settings.adapt()) {
                    fleet.learner().adaptNormalisation(fleet.state(), x, n, rpms); // no label reaches the model
                }
                listener.progress("shift", first + n, stream.size(), Double.NaN, shift.accuracy());
            }
            shiftWindows = stream.size();
            shiftHoldout = score(fleet, prep.shiftHoldout(), "shift holdout", x, labels, classes.size(), listener);
        }
        return new Result(prequential.accuracy(), holdout.accuracy(), shift == null ? null : shift.accuracy(),
                shiftHoldout == null ? null : shiftHoldout.accuracy(), classes, prep.streamSize(), holdout.total(),
                shiftWindows, shiftHoldout == null ? 0 : shiftHoldout.total(), channels,
                recordings.get(0).sampleRateHz(), model.parameterCount(), settings.epochs(), passLoss,
                (System.nanoTime() - started) / 1e9, prequential, holdout, shift, shiftHoldout);
    }

    /** Reads the selected recordings and cuts them into the stream's and the holdout's windows. */
    public Prepared prepare(VibrationManifest manifest, Listener listener) throws IOException {
        long started = System.nanoTime();
        VibrationManifest selected = settings.machines().isEmpty() ? manifest : select(manifest, settings.machines());
        if (settings.shiftTo() != null) {
            if (!selected.machines().contains(settings.shiftTo())) {
                throw new IllegalArgumentException("invalid value " + settings.shiftTo() + " for --shift-to: not among "
                        + "the selected machines (" + String.join(", ", selected.machines()) + ")");
            }
            if (selected.machines().size() < 2) {
                throw new IllegalArgumentException("--shift-to " + settings.shiftTo()
                        + " needs at least one other machine to learn from; selected: " + selected.machines());
            }
        }
        List<String> classes = selected.labels();
        if (classes.size() < 2) {
            throw new IllegalArgumentException(manifest.path() + ": the selected recordings have " + classes.size()
                    + " label(s) " + classes + "; a classifier needs at least 2");
        }
        load(selected, classes);
        long samples = 0;
        for (VibrationRecording r : recordings) {
            samples += (long) r.length() * r.channels();
        }
        listener.loaded(recordings.size(), samples, channels, classes, (System.nanoTime() - started) / 1e9);

        List<List<Window>> sourceTrain = new ArrayList<>();
        List<List<Window>> shiftTrain = new ArrayList<>();
        List<Window> sourceHoldout = new ArrayList<>();
        List<Window> shiftHoldoutWindows = new ArrayList<>();
        for (int r = 0; r < recordings.size(); r++) {
            VibrationRecording rec = recordings.get(r);
            boolean shift = rec.machine().equals(settings.shiftTo());
            (shift ? shiftTrain : sourceTrain).add(windowing.trainWindows(r, rec.length()));
            (shift ? shiftHoldoutWindows : sourceHoldout).addAll(windowing.holdoutWindows(r, rec.length()));
        }
        int streamSize = sourceTrain.stream().mapToInt(List::size).sum();
        if (streamSize == 0) {
            throw new IllegalArgumentException("no training windows: every recording's first 80% is shorter than "
                    + "--window " + settings.window());
        }
        return new Prepared(classes, sourceTrain, shiftTrain, sourceHoldout, shiftHoldoutWindows, streamSize, started);
    }

    /**
     * A fleet as the streaming job has it: the {@link FleetLearner} (the gearbox network, Adam at {@code --lr},
     * mini-batches of {@code --batch} labelled windows, per-channel normalisation unless off) and a fresh, seeded
     * {@link FleetState}.
     */
    public Fleet newFleet(List<String> classes) {
        FleetSettings fs = new FleetSettings(classes, settings.batch(), "adam", settings.lr(), 0.9, settings.seed(),
                settings.normalise(), backend.name());
        FleetLearner learner = new FleetLearner(fs.withOrderTracking(settings.orderTracking()), backend,
                new GearboxCnnFactory()).withInitialModel(initialModel);
        return new Fleet(learner, learner.create(channels, settings.window()));
    }

    /** A fleet's learner and its state, as the streaming operator holds them. */
    public record Fleet(FleetLearner learner, FleetState state) {
        /** Predicted classes (argmax, inference mode) of n windows; nothing is learned. */
        public int[] predict(float[] xs, int n) {
            return predict(xs, n, null);
        }

        /** {@link #predict(float[], int)} for windows with their shaft speeds (null or NaN: unknown). */
        public int[] predict(float[] xs, int n, double[] rpms) {
            float[] p = learner.probabilities(state, xs, n, rpms);
            int k = state.classes.length;
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < k; c++) {
                    if (p[i * k + c] > p[i * k + best]) {
                        best = c;
                    }
                }
                out[i] = best;
            }
            return out;
        }
    }

    /**
     * Passes over the stream: pass 1 prequential (predict, then learn), further passes learning only with a
     * cosine-decayed learning rate over {@code epochs} passes. The hook runs after every pass, outside the timed part.
     */
    public Training train(Prepared prep, Fleet fleet, int epochs, Listener listener, PassHook hook) {
        int per = channels * settings.window();
        float[] x = new float[per];
        int[] label = new int[1];
        List<String> classes = prep.classes();
        FleetState state = fleet.state();
        Confusion prequential = new Confusion(classes.size());
        double passLoss = Double.NaN;
        int labelledPerPass = 0;
        for (List<Window> ws : prep.sourceTrain()) {
            for (Window w : ws) {
                labelledPerPass += classOf[w.recording()] >= 0 ? 1 : 0;
            }
        }
        long laterSteps = (long) (labelledPerPass / settings.batch()) * (epochs - 1);
        long laterLabelled = 0;
        FleetLearner decayed = null; // the learner at the learning rate of step decayedStep, rebuilt once per step
        long decayedStep = -1;
        long totalSteps = 0;
        long timed = 0;
        double cpu = 0;
        int pass = 1;
        for (; pass <= epochs; pass++) {
            long passStart = System.nanoTime();
            double cpuStart = processCpuSeconds();
            List<Window> stream = Windowing.interleave(prep.sourceTrain(), CounterRng.mix(settings.seed() ^ ORDER_SALT, pass));
            if (pass > 1 && settings.jitter()) {
                stream = jitter(stream, CounterRng.mix(settings.seed() ^ JITTER_SALT, pass));
            }
            double lossSum = 0;
            int steps = 0;
            String phase = "pass " + pass + "/" + epochs;
            for (int i = 0; i < stream.size(); i++) {
                fill(stream, i, 1, x, label);
                String name = label[0] >= 0 ? classes.get(label[0]) : null;
                long before = state.version;
                if (pass == 1) {
                    // the streaming operator's step: predict first, then learn (FleetLearner.observe)
                    FleetPrediction p = fleet.learner().observe(state, x, name, rpm(stream.get(i)));
                    prequential.add(label, new int[] {p.chosen()}, 1);
                    listener.observed(x, name, p);
                } else if (name != null) {
                    // further passes (offline only): learn, with the cosine-decayed rate of the step this window joins
                    long step = laterLabelled++ / settings.batch();
                    if (step != decayedStep) {
                        double lr = settings.lr() * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, laterSteps)
                                / Math.max(1, laterSteps))));
                        decayed = fleet.learner().withLearningRate(lr);
                        decayedStep = step;
                    }
                    decayed.learn(state, x, name, rpm(stream.get(i)));
                }
                if (state.version != before) {
                    lossSum += state.lastLoss;
                    steps++;
                }
                if ((i + 1) % settings.batch() == 0 || i + 1 == stream.size()) {
                    listener.progress(phase, i + 1, stream.size(), steps == 0 ? Double.NaN : lossSum / steps,
                            pass == 1 ? prequential.accuracy() : Double.NaN);
                }
            }
            passLoss = steps == 0 ? Double.NaN : lossSum / steps;
            totalSteps += steps;
            timed += System.nanoTime() - passStart;
            cpu += processCpuSeconds() - cpuStart;
            listener.passEnd(pass, epochs, passLoss, prequential.accuracy(),
                    (System.nanoTime() - prep.started()) / 1e9);
            if (!hook.afterPass(pass, totalSteps, timed / 1e9, cpu)) {
                break;
            }
        }
        return new Training(prequential, passLoss, Math.min(pass, epochs), totalSteps, timed / 1e9, cpu);
    }

    /**
     * Softmax vectors (inference mode) of windows in their list order, row-major n × K; labels get each window's
     * class (−1 unlabelled). The stream's windows of a pass: {@link #streamOrder}.
     */
    public float[] probabilities(Fleet fleet, List<Window> windows, int[] labels) {
        int per = channels * settings.window();
        float[] x = new float[PREDICT_BATCH * per];
        int[] l = new int[PREDICT_BATCH];
        int k = fleet.state().classes.length;
        float[] out = new float[windows.size() * k];
        for (int first = 0; first < windows.size(); first += PREDICT_BATCH) {
            int n = Math.min(PREDICT_BATCH, windows.size() - first);
            fill(windows, first, n, x, l);
            System.arraycopy(fleet.learner().probabilities(fleet.state(), x, n, rpms(windows, first, n)), 0, out,
                    first * k, n * k);
            System.arraycopy(l, 0, labels, first, n);
        }
        return out;
    }

    /** The stream's windows in a seeded interleaving of their own (salted with {@code salt}), jittered as pass 2+. */
    public List<Window> streamOrder(Prepared prep, long salt) {
        List<Window> stream = Windowing.interleave(prep.sourceTrain(), CounterRng.mix(settings.seed() ^ ORDER_SALT, salt));
        return settings.jitter() ? jitter(stream, CounterRng.mix(settings.seed() ^ JITTER_SALT, salt)) : stream;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Windows [first, first + n) of a list cut (and noised as configured, not normalised) into x, their classes
     * into labels (−1 unlabelled), after {@link #prepare}: what other evaluations ({@code eval al}) train on.
     */
    public void cut(List<Window> windows, int first, int n, float[] x, int[] labels) {
        fill(windows, first, n, x, labels);
    }

    /** Channels of the prepared recordings. */
    public int channels() {
        return channels;
    }

    /** Predictions in inference mode (no learning, no adaptation) of the labelled windows. */
    private Confusion score(Fleet fleet, List<Window> windows, String phase, float[] x, int[] labels,
                            int classes, Listener listener) {
        Confusion c = new Confusion(classes);
        for (int first = 0; first < windows.size(); first += PREDICT_BATCH) {
            int n = Math.min(PREDICT_BATCH, windows.size() - first);
            fill(windows, first, n, x, labels);
            c.add(labels, fleet.predict(x, n, rpms(windows, first, n)), n);
            listener.progress(phase, first + n, windows.size(), Double.NaN, c.accuracy());
        }
        return c;
    }

    /** Counts of (true class, predicted class) over labelled windows; rows are true classes. */
    public static final class Confusion {
        private final long[][] counts;
        private long total;
        private long correct;

        Confusion(int classes) {
            counts = new long[classes][classes];
        }

        void add(int[] labels, int[] predicted, int n) {
            for (int i = 0; i < n; i++) {
                if (labels[i] >= 0) {
                    counts[labels[i]][predicted[i]]++;
                    total++;
                    if (labels[i] == predicted[i]) {
                        correct++;
                    }
                }
            }
        }

        /** Share of correct predictions; NaN when nothing was scored. */
        public double accuracy() {
            return total == 0 ? Double.NaN : (double) correct / total;
        }

        public int total() {
            return (int) total;
        }

        /** A copy of the counts, [true][predicted]. */
        public long[][] counts() {
            long[][] out = new long[counts.length][];
            for (int i = 0; i < counts.length; i++) {
                out[i] = counts[i].clone();
            }
            return out;
        }
    }

    /**
     * The windows of a further pass moved later by a seeded random offset in [0, hop), never past the split: the
     * passes see windows at other phases than the first (augmentation by overlap, as WDCNN's).
     */
    private List<Window> jitter(List<Window> stream, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Window> out = new ArrayList<>(stream.size());
        for (Window w : stream) {
            int last = windowing.split(recordings.get(w.recording()).length()) - settings.window();
            int start = Math.min(w.start() + rng.nextInt(settings.hop()), last);
            out.add(new Window(w.recording(), Math.max(start, w.start()), false));
        }
        return out;
    }

    /** The shaft speed of a window's recording (NaN: unknown). */
    private double rpm(Window w) {
        return recordings.get(w.recording()).entry().rpm();
    }

    /** Shaft speeds of windows [first, first + n) of the list. */
    private double[] rpms(List<Window> windows, int first, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = rpm(windows.get(first + i));
        }
        return out;
    }

    /** Cuts and noises windows (the learner normalises them) [first, first + n) of the list into x; labels get class or −1. */
    private void fill(List<Window> windows, int first, int n, float[] x, int[] labels) {
        int per = channels * settings.window();
        for (int i = 0; i < n; i++) {
            Window w = windows.get(first + i);
            VibrationRecording rec = recordings.get(w.recording());
            windowing.copy(rec, w, x, i * per);
            if (settings.snrDb() != null) {
                long s = CounterRng.mix(CounterRng.mix(settings.seed() ^ NOISE_SALT, w.recording()), w.start());
                Windowing.addNoise(x, i * per, channels, settings.window(), settings.snrDb(), new SplittableRandom(s));
            }
            labels[i] = classOf[w.recording()];
        }
    }

    private void load(VibrationManifest m, List<String> classes) throws IOException {
        recordings = new ArrayList<>();
        classOf = new int[m.entries().size()];
        VibrationManifest.Entry firstEntry = null;
        for (VibrationManifest.Entry e : m.entries()) {
            VibrationRecording r = VibrationManifest.readRecording(e);
            if (firstEntry == null) {
                firstEntry = e;
                channels = r.channels();
            } else {
                if (r.channels() != channels) {
                    throw new IOException(e.path() + ": " + r.channels() + " channels " + r.channelNames() + ", but "
                            + firstEntry.path() + " has " + channels + "; one model needs one channel count");
                }
                if (e.sampleRateHz() != firstEntry.sampleRateHz()) {
                    throw new IOException(m.path() + ":" + e.line() + ": sample_rate_hz " + fmt(e.sampleRateHz())
                            + " differs from " + fmt(firstEntry.sampleRateHz()) + " on line " + firstEntry.line()
                            + "; select machines of one sample rate (--machines)");
                }
            }
            classOf[recordings.size()] = e.labelled() ? classes.indexOf(e.label()) : -1;
            recordings.add(r);
        }
    }

    private static VibrationManifest select(VibrationManifest m, List<String> machines) {
        try {
            return m.select(machines);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for --machines: " + e.getMessage());
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : Double.toString(v);
    }
}
