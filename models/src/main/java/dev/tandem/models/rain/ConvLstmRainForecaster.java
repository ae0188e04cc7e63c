package dev.tandem.models.rain;

import dev.tandem.learning.loss.MaskedMeanSquaredError;
import dev.tandem.learning.nets.ConvLstmForecaster;
import dev.tandem.learning.nn.ConvLstmSpec;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.FaultCounter;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.train.SupervisedObjective;

import java.util.ArrayList;
import java.util.List;

/**
 * The ConvLSTM encoder–forecaster ({@link ConvLstmForecaster}) in the rain forecaster slot, {@value #NAME}.
 *
 * <p>Input per example: the T window frames' {@link Frame#input()} channels (normalised features, their masks,
 * coverage) plus four channels that tell the shared convolution weights where and in which climate a cell is (a
 * per-station model has its own intercept; this is the ConvLSTM's way to get one): the cell's latitude and longitude
 * scaled to [−1, 1], and two online rain climatologies of the cell — exponential means of its observed target rain
 * with time constants of {@code Settings.climateShortSteps} and {@code climateLongSteps} steps (running means until
 * then; {@link AdaptiveDefaults#climateShortSteps}: about 30 days and a year of the region's steps, 30 and 365 for
 * daily steps, the fixed {@value #SHORT_STEPS} and {@value #LONG_STEPS} of the constructors without them), updated
 * only from targets already learned (so from the past), in units of {@code rainScale}. Output: the rain of the frame {@code horizon} steps after the window, in units of
 * {@code rainScale} mm; the loss is the masked MSE over the cells whose rain was observed (intermediate forecast
 * frames, when horizon &gt; 1, are masked out). Forecasts are {@code max(0, y · rainScale)}.
 *
 * <p>Online learning (prequential, driven by the caller): {@link #learn} puts the (window, target) example in a
 * bounded replay of the most recent examples and runs {@code stepsPerLearn} optimizer steps, each on a mini-batch of
 * the newest example plus {@code batch − 1} drawn from the replay (seeded, counter-based). Every example is a past
 * one: the caller only calls learn after it has scored the forecast.
 */
public final class ConvLstmRainForecaster implements RainForecaster {
    public static final String NAME = "convlstm";

    /** Model and training settings; {@code guard} is the numerical guard of every training step ({@code training.*}). */
    public record Settings(int[] hidden, int[] kernels, int batch, int replay, int stepsPerLearn, double rainScale,
                           TrainingGuard guard, int climateShortSteps, int climateLongSteps) {
        public static final Settings DEFAULT = new Settings(new int[] {16, 16}, new int[] {3, 3}, 8, 512, 1, 10.0);

        /** Settings with the default guard (clipping off) and the daily climatology constants (30 and 365 steps). */
        public Settings(int[] hidden, int[] kernels, int batch, int replay, int stepsPerLearn, double rainScale) {
            this(hidden, kernels, batch, replay, stepsPerLearn, rainScale, TrainingGuard.DEFAULT);
        }

        /** Settings with the daily climatology constants (30 and 365 steps). */
        public Settings(int[] hidden, int[] kernels, int batch, int replay, int stepsPerLearn, double rainScale,
                        TrainingGuard guard) {
            this(hidden, kernels, batch, replay, stepsPerLearn, rainScale, guard, SHORT_STEPS, LONG_STEPS);
        }

        public Settings {
            if (guard == null) {
                guard = TrainingGuard.DEFAULT;
            }
            require(climateShortSteps >= 1 && climateLongSteps >= 1, "climate_steps",
                    Math.min(climateShortSteps, climateLongSteps), ">= 1 (both time constants)");
            require(batch >= 1, "batch", batch, ">= 1");
            require(replay >= batch, "replay", replay, ">= batch (" + batch + ")");
            require(stepsPerLearn >= 1, "steps_per_learn", stepsPerLearn, ">= 1");
            require(rainScale >= 0 && Double.isFinite(rainScale), "rain_scale", rainScale, "> 0 (0: auto, chosen from the "
                    + "stream's first frames by the region's learner)");
            hidden = hidden.clone();
            kernels = kernels.clone();
        }

        private static void require(boolean ok, String key, double value, String allowed) {
            if (!ok) {
                throw new IllegalArgumentException("convlstm forecaster " + key + " = " + value + "; allowed: " + allowed);
            }
        }
    }

    /**
     * The model-file property ({@code ModelCodec} version 2) that carries the rain scale a ConvLSTM was trained in
     * (mm per model unit): {@code tandem export-model} writes it, a region seeded from the file adopts it.
     */
    public static final String RAIN_SCALE_PROPERTY = "rainfall.rain-scale-mm";

    /** The properties of a model file of this state: its rain scale when chosen (none while NaN). */
    public static java.util.Map<String, String> modelProperties(State state) {
        return Double.isFinite(state.rainScale)
                ? java.util.Map.of(RAIN_SCALE_PROPERTY, Double.toString(state.rainScale)) : java.util.Map.of();
    }

    /**
     * The rain scale a model file carries (mm); NaN without one (every file before model format 2).
     *
     * @throws IllegalArgumentException when the file's value is not a number &gt; 0
     */
    public static double rainScaleOf(dev.tandem.learning.io.ModelSeed file) {
        String v = file.property(RAIN_SCALE_PROPERTY);
        if (v == null) {
            return Double.NaN;
        }
        double mm;
        try {
            mm = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            mm = Double.NaN;
        }
        if (!(mm > 0) || !Double.isFinite(mm)) {
            throw new IllegalArgumentException("model file " + file.source() + " has " + RAIN_SCALE_PROPERTY + " '"
                    + v + "'; allowed: a number > 0 (mm per model unit)");
        }
        return mm;
    }

    /** The climatology channels' time constants of the settings without them (= the daily rule's). */
    static final int SHORT_STEPS = 30;
    static final int LONG_STEPS = 365;
    private static final int EXTRA_CHANNELS = 4;

    /** One replayed training example: the model input, the scaled target and its mask (never changed once built). */
    public record Example(float[] input, float[] target, float[] mask) {
    }

    /**
     * The replay of recent examples as saved state: how many were ever stored (which slot the next one takes, and
     * how many the draws choose from) and the slots in order (at most {@code Settings.replay()}).
     */
    public record Replay(long stored, List<Example> slots) {
        public static final Replay EMPTY = new Replay(0, List.of());
    }

    /**
     * Everything the forecaster changes as it learns, as plain data: the ConvLSTM (its parameters and batch-norm
     * buffers), the optimizer's state, the counters that key the seeded draws, the two climatologies per cell and the
     * replay of recent examples. The streaming operator keeps this in keyed state; the forecaster reads and writes it
     * in place, so nothing is copied back and forth.
     */
    public static final class State {
        public final Sequential model;
        public final OptimizerState optimizer;
        /** The replay slots; null after a restore until a forecaster sizes them ({@link #savedReplay} holds them). */
        Example[] replay;
        private Replay savedReplay;
        final float[] climateShort;
        final float[] climateLong;
        final int[] climateCount;
        /** Examples put in the replay so far: the next one takes slot {@code stored % replay.length}. */
        long stored;
        /** Examples learned from (it keys the seeded mini-batch draws and dropout). */
        long learned;
        /** Updates refused for non-finite values (an input, or a step the guard refused), in all and in a row. */
        FaultCounter faults = new FaultCounter();
        double lastLoss = Double.NaN;
        /** mm per model unit; NaN until chosen (rainfall.rain-scale=auto: by the learner from the first frames). */
        double rainScale = Double.NaN;

        State(Sequential model, OptimizerState optimizer, int replaySlots, int cells) {
            this.model = model;
            this.optimizer = optimizer;
            this.replay = replaySlots > 0 ? new Example[replaySlots] : null;
            this.climateShort = new float[cells];
            this.climateLong = new float[cells];
            this.climateCount = new int[cells];
        }

        /**
         * A state restored from saved data (the model and optimizer state from {@code ModelCodec}, the rest as
         * {@link #learned()}, {@link #skipped()}, {@link #lastLoss()}, {@link #climate()} and {@link #replay()} gave
         * them). The replay gets its slots when a forecaster wraps the state (the configured {@code replay} size: a
         * saved replay of another size keeps its newest examples). {@link Replay#EMPTY} (state saved without it)
         * starts the replay empty.
         */
        public static State restored(Sequential model, OptimizerState optimizer, long learned, long skipped,
                                     double lastLoss, float[] climate, Replay replay) {
            return restored(model, optimizer, learned, new FaultCounter(skipped, 0), lastLoss, climate, replay);
        }

        /** {@link #restored} with the fault counts as saved (skipped in all and in a row, {@link #faults()}). */
        public static State restored(Sequential model, OptimizerState optimizer, long learned, FaultCounter faults,
                                     double lastLoss, float[] climate, Replay replay) {
            if (replay.slots().size() > replay.stored() || (replay.stored() > 0 && replay.slots().isEmpty())) {
                throw new IllegalArgumentException("saved replay holds " + replay.slots().size() + " examples of "
                        + replay.stored() + " stored");
            }
            int[] in = model.inputShape();
            int cells = in[in.length - 2] * in[in.length - 1];
            State s = new State(model, optimizer, 0, cells);
            s.learned = learned;
            s.faults = faults;
            s.lastLoss = lastLoss;
            if (climate != null && climate.length > 0) {
                if (climate.length != 3 * cells) {
                    throw new IllegalArgumentException("saved climatology has " + climate.length + " values, expected "
                            + 3 * cells);
                }
                System.arraycopy(climate, 0, s.climateShort, 0, cells);
                System.arraycopy(climate, cells, s.climateLong, 0, cells);
                for (int k = 0; k < cells; k++) {
                    s.climateCount[k] = (int) climate[2 * cells + k];
                }
            }
            s.savedReplay = replay;
            return s;
        }

        /** Gives the replay {@code slots} slots (a restored state's first wrap, or another configured size). */
        void sizeReplay(int slots) {
            if (replay != null && replay.length == slots) {
                return;
            }
            Replay saved = replay();
            replay = new Example[slots];
            savedReplay = null;
            stored = 0;
            restoreReplay(saved);
        }

        private void restoreReplay(Replay saved) {
            int filled = (int) Math.min(saved.stored(), replay.length);
            if (saved.slots().size() != filled) {
                // a different rainfall.replay than when saved: keep the newest examples that fit, in draw order
                int had = saved.slots().size();
                int keep = Math.min(had, replay.length);
                for (int i = 0; i < keep; i++) {
                    replay[i] = saved.slots().get((int) ((saved.stored() - keep + i) % had));
                }
                stored = keep;
                return;
            }
            for (int i = 0; i < filled; i++) {
                replay[i] = saved.slots().get(i);
            }
            stored = saved.stored();
        }

        /** The replay of recent examples, for saving (the examples are shared, not copied: they never change). */
        public Replay replay() {
            if (replay == null) {
                return savedReplay;
            }
            int filled = (int) Math.min(stored, replay.length);
            return new Replay(stored, List.of(java.util.Arrays.copyOf(replay, filled)));
        }

        /** The climatologies for saving: short means, long means, counts per cell (3 × cells values). */
        public float[] climate() {
            int n = climateShort.length;
            float[] c = new float[3 * n];
            System.arraycopy(climateShort, 0, c, 0, n);
            System.arraycopy(climateLong, 0, c, n, n);
            for (int k = 0; k < n; k++) {
                c[2 * n + k] = climateCount[k];
            }
            return c;
        }

        public long learned() {
            return learned;
        }

        public long skipped() {
            return faults.skipped();
        }

        /** The fault counts (skipped in all, in a row; a report due after the configured number in a row). */
        public FaultCounter faults() {
            return faults;
        }

        public double lastLoss() {
            return lastLoss;
        }

        /** mm per unit of the model's output (its targets' units); NaN while not yet chosen. */
        public double rainScale() {
            return rainScale;
        }

        /**
         * Sets the model's units once (a restore, or the learner's choice from the stream); they never change after,
         * so the weights keep their meaning.
         */
        public void setRainScale(double mmPerUnit) {
            if (!(mmPerUnit > 0) || !Double.isFinite(mmPerUnit)) {
                throw new IllegalArgumentException("rain scale must be > 0 mm, got " + mmPerUnit);
            }
            if (Double.isFinite(rainScale) && rainScale != mmPerUnit) {
                throw new IllegalStateException("the rain scale is " + rainScale + " mm already");
            }
            rainScale = mmPerUnit;
        }
    }

    private final Grid grid;
    private final int window;
    private final int horizon;
    private final int channels;
    private final Settings settings;
    private final Optimizer optimizer;
    private final SupervisedObjective objective;
    private final MaskedMeanSquaredError loss = new MaskedMeanSquaredError();
    private final float[] coordinates;
    private final long seed;
    private final State state;

    public ConvLstmRainForecaster(Grid grid, List<String> features, int window, int horizon, Backend backend,
                                  Optimizer optimizer, Settings settings, long seed) {
        this(grid, features, window, horizon, optimizer, settings, seed, fresh(grid, features, window, horizon, backend,
                optimizer, settings, seed));
    }

    private static State fresh(Grid grid, List<String> features, int window, int horizon, Backend backend,
                               Optimizer optimizer, Settings settings, long seed) {
        ConvLstmSpec spec = new ConvLstmSpec(settings.hidden(), settings.kernels(), horizon, 1);
        Sequential model = ConvLstmForecaster.build(spec, backend, DType.FLOAT32, window, channels(features), grid.rows(),
                grid.cols(), seed);
        return new State(model, optimizer.init(model.params()), settings.replay(), grid.cells());
    }

    /**
     * A forecaster over a state (new, or restored from the streaming trainer's keyed state with
     * {@link State#restored}): the weights, optimizer state, counters, climatology and replay continue exactly, so a
     * restored forecaster learns exactly as the uninterrupted one would.
     */
    public ConvLstmRainForecaster(Grid grid, List<String> features, int window, int horizon, Optimizer optimizer,
                                  Settings settings, long seed, State state) {
        this.grid = grid;
        this.window = window;
        this.horizon = horizon;
        this.channels = channels(features);
        int[] in = state.model.inputShape();
        if (in.length != 4 || in[0] != window || in[1] != channels || in[2] != grid.rows() || in[3] != grid.cols()) {
            throw new IllegalArgumentException("model input " + java.util.Arrays.toString(in) + " does not fit a window of "
                    + window + " frames of " + channels + " channels on " + grid.rows() + " x " + grid.cols());
        }
        if (!state.optimizer.optimizer().equals(optimizer.name())) {
            throw new IllegalArgumentException("saved optimizer state is for " + state.optimizer.optimizer()
                    + ", configured " + optimizer.name());
        }
        state.sizeReplay(settings.replay());
        if (settings.rainScale() > 0 && Double.isNaN(state.rainScale)) {
            state.rainScale = settings.rainScale(); // a restored state keeps the units it was trained in
        }
        int inSize = window * channels * grid.cells();
        int outSize = horizon * grid.cells();
        for (int i = 0; i < Math.min(state.stored, state.replay.length); i++) {
            Example e = state.replay[i];
            if (e.input().length != inSize || e.target().length != outSize || e.mask().length != outSize) {
                throw new IllegalArgumentException("saved replay example " + i + " has " + e.input().length + "/"
                        + e.target().length + "/" + e.mask().length + " values, expected " + inSize + "/" + outSize
                        + "/" + outSize);
            }
        }
        this.settings = settings;
        this.seed = seed;
        this.optimizer = optimizer;
        this.state = state;
        this.objective = new SupervisedObjective(state.model, loss);
        this.coordinates = coordinateChannels(grid);
    }

    private static int channels(List<String> features) {
        return 2 * features.size() + 1 + EXTRA_CHANNELS;
    }

    /** The replay of recent examples, for saving ({@link State#replay}). */
    public Replay replay() {
        return state.replay();
    }

    /** The climatologies, for saving ({@link State#climate}). */
    public float[] climate() {
        return state.climate();
    }

    /** The settings it learns with (the climatology channels' time constants among them). */
    public Settings settings() {
        return settings;
    }

    /** The live state (not a copy): what the streaming trainer checkpoints. */
    public State state() {
        return state;
    }

    /** Examples learned from so far (each call of {@link #learn} with an observed target). */
    public long learned() {
        return state.learned;
    }

    /** A factory for the evaluation and the streaming trainer. */
    public static Factory factory(Backend backend, java.util.function.LongFunction<Optimizer> optimizer,
                                  Settings settings) {
        return (grid, features, window, horizon, seed) ->
                new ConvLstmRainForecaster(grid, features, window, horizon, backend, optimizer.apply(seed), settings, seed);
    }

    @Override
    public String name() {
        return NAME;
    }

    public Sequential model() {
        return state.model;
    }

    public OptimizerState optimizerState() {
        return state.optimizer;
    }

    /** The loss of the last training step (scaled units), NaN before the first. */
    public double lastLoss() {
        return state.lastLoss;
    }

    /** Training steps whose loss or gradient was not finite (skipped, model unchanged). */
    public long skippedSteps() {
        return state.faults.skipped();
    }

    @Override
    public float[] forecast(List<Frame> frames) {
        return forecastLeads(frames, horizon)[horizon - 1];
    }

    /** Every output frame of the network: the forecasts for leads 1..horizon (all of them are trained). */
    @Override
    public float[][] forecastLeads(List<Frame> frames, int leads) {
        if (leads != horizon) {
            throw new IllegalArgumentException("this forecaster forecasts " + horizon + " leads, asked for " + leads);
        }
        float[] in = input(frames);
        Backend b = state.model.backend();
        Tensor x = b.fromHost(in, 1, window, channels, grid.rows(), grid.cols());
        float[] y = state.model.forward(x, Pass.INFERENCE).toFloatArray();
        int n = grid.cells();
        // before the units are chosen the model has learned nothing: its (untrained) output is read as mm
        double scale = Double.isFinite(state.rainScale) ? state.rainScale : 1.0;
        float[][] out = new float[horizon][n];
        for (int h = 0; h < horizon; h++) {
            for (int k = 0; k < n; k++) {
                out[h][k] = (float) Math.max(0, y[h * n + k] * scale);
            }
        }
        return out;
    }

    @Override
    public void learn(List<Frame> frames, float[] targetRainMm, float[] targetMask) {
        float[][] t = new float[horizon][];
        float[][] m = new float[horizon][];
        for (int h = 0; h < horizon - 1; h++) {
            t[h] = new float[grid.cells()];
            m[h] = new float[grid.cells()];
        }
        t[horizon - 1] = targetRainMm;
        m[horizon - 1] = targetMask;
        learnLeads(frames, t, m);
    }

    /**
     * Learns the window → the rain of each of the {@code horizon} frames after it (output frame h is lead h + 1);
     * the loss covers every observed cell of every lead. The climatology channels take in the last lead's target.
     */
    @Override
    public void learnLeads(List<Frame> frames, float[][] targets, float[][] masks) {
        if (Double.isNaN(state.rainScale)) {
            return; // the targets have no units yet (rain scale auto, not yet chosen by the learner)
        }
        int n = grid.cells();
        float[] target = new float[horizon * n];
        float[] mask = new float[horizon * n];
        boolean any = false;
        for (int h = 0; h < horizon; h++) {
            for (int k = 0; k < n; k++) {
                if (masks[h][k] > 0 && Float.isFinite(targets[h][k])) {
                    target[h * n + k] = (float) (targets[h][k] / state.rainScale);
                    mask[h * n + k] = 1;
                    any |= h == horizon - 1;
                }
            }
        }
        if (!any) {
            return;
        }
        float[] targetRainMm = targets[horizon - 1];
        float[] targetMask = masks[horizon - 1];
        Example newest = new Example(input(frames), target, mask);
        if (!allFinite(newest.input())) {
            // kept out of the replay, where it would spoil every mini-batch that draws it
            state.faults.record("non-finite input", settings.guard().maxConsecutiveFaults());
            return;
        }
        updateClimate(targetRainMm, targetMask);
        Example[] replay = state.replay;
        replay[(int) (state.stored % replay.length)] = newest;
        state.stored++;
        state.learned++;
        int filled = (int) Math.min(state.stored, replay.length);
        int b = Math.min(settings.batch(), filled);
        for (int s = 0; s < settings.stepsPerLearn(); s++) {
            List<Example> batch = new ArrayList<>(b);
            batch.add(newest);
            for (int i = 1; i < b; i++) {
                long r = CounterRng.mix(CounterRng.mix(seed, state.learned), s * 1_000L + i);
                batch.add(replay[(int) Math.floorMod(r, (long) filled)]);
            }
            step(batch);
        }
    }

    private void step(List<Example> batch) {
        int b = batch.size();
        int inSize = batch.get(0).input.length;
        int outSize = batch.get(0).target.length;
        float[] in = new float[b * inSize];
        float[] t = new float[b * outSize];
        float[] m = new float[b * outSize];
        for (int i = 0; i < b; i++) {
            System.arraycopy(batch.get(i).input, 0, in, i * inSize, inSize);
            System.arraycopy(batch.get(i).target, 0, t, i * outSize, outSize);
            System.arraycopy(batch.get(i).mask, 0, m, i * outSize, outSize);
        }
        Backend be = state.model.backend();
        int[] outShape = {b, horizon, 1, grid.rows(), grid.cols()};
        Tensor x = be.fromHost(in, b, window, channels, grid.rows(), grid.cols());
        Tensor target = be.fromHost(t, outShape);
        loss.setMask(be.fromHost(m, outShape));
        objective.on(x, target, Pass.training(CounterRng.mix(seed, state.learned)));
        TrainingGuard.Outcome o = settings.guard().step(optimizer, objective, state.model.params(),
                state.model.buffers(), state.optimizer);
        state.faults.record(o, settings.guard().maxConsecutiveFaults());
        if (!o.skipped()) {
            state.lastLoss = o.loss();
        }
    }

    private static boolean allFinite(float[] x) {
        for (float v : x) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private float[] input(List<Frame> frames) {
        if (frames.size() != window) {
            throw new IllegalArgumentException("expected a window of " + window + " frames, got " + frames.size());
        }
        int n = grid.cells();
        float[] x = new float[window * channels * n];
        for (int t = 0; t < window; t++) {
            float[] f = frames.get(t).input();
            int base = t * channels * n;
            System.arraycopy(f, 0, x, base, f.length);
            System.arraycopy(coordinates, 0, x, base + f.length, 2 * n);
            System.arraycopy(state.climateShort, 0, x, base + f.length + 2 * n, n);
            System.arraycopy(state.climateLong, 0, x, base + f.length + 3 * n, n);
        }
        return x;
    }

    private void updateClimate(float[] rainMm, float[] mask) {
        for (int k = 0; k < rainMm.length; k++) {
            if (mask[k] > 0 && Float.isFinite(rainMm[k])) {
                int c = ++state.climateCount[k];
                float y = (float) (rainMm[k] / state.rainScale);
                state.climateShort[k] += (y - state.climateShort[k]) / Math.min(c, settings.climateShortSteps());
                state.climateLong[k] += (y - state.climateLong[k]) / Math.min(c, settings.climateLongSteps());
            }
        }
    }

    private static float[] coordinateChannels(Grid grid) {
        int n = grid.cells();
        float[] c = new float[2 * n];
        for (int r = 0; r < grid.rows(); r++) {
            for (int col = 0; col < grid.cols(); col++) {
                c[r * grid.cols() + col] = grid.rows() > 1 ? (float) (2.0 * r / (grid.rows() - 1) - 1) : 0f;
                c[n + r * grid.cols() + col] = grid.cols() > 1 ? (float) (2.0 * col / (grid.cols() - 1) - 1) : 0f;
            }
        }
        return c;
    }
}
