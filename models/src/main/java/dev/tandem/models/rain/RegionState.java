package dev.tandem.models.rain;

import dev.tandem.learning.io.ModelHash;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one region's prequential forecaster holds, as data: the grid and features it was built for, the
 * forecaster with its own explicit state ({@link ConvLstmRainForecaster.State}), the last {@code window + horizon − 1}
 * frames, the forecasts not yet scored (valid for a step not yet observed) and the prequential score counters.
 * Driven by {@link RegionLearner}; kept in Flink keyed state by the operators' {@code RegionStateSerializer}.
 */
public final class RegionState {
    /**
     * A forecast waiting for its step to be observed: the combined rain (mm) per cell for the step {@code lead} steps
     * after the frame that issued it, the probability of rain ≥ the threshold, the cells' climatological wet
     * frequency it was calibrated with and the calibrated probability (the two that make the probability), each
 * component's forecast ({@link ExpertCombination}, forecaster first) and
     * the weights they were combined with. Components, climate and weights are null for forecasts restored from
     * state written before the combination (format 3).
     */
    public record Pending(long validStep, float[] rainMm, int lead, float[] probability, float[] climate,
                          float[] calibrated, float[][] components, double[] weights) {
        /** A bare forecast without components (restored from an old format). */
        public Pending(long validStep, float[] rainMm, int lead) {
            this(validStep, rainMm, lead, null, null, null, null, null);
        }
    }

    public final Grid grid;
    public final List<String> features;
    public final int window;
    public final int horizon;
    public final long seed;
    /** The forecaster; null after a restore until {@link RegionLearner} wraps {@link #saved} again. */
    RainForecaster forecaster;
    /** A restored ConvLSTM's state, waiting to be wrapped (null once wrapped, or for a fresh state). */
    ConvLstmRainForecaster.State saved;
    public final List<Frame> frames = new ArrayList<>();
    public final List<Pending> pending = new ArrayList<>();
    /** The online baselines and their combination with the forecaster; set by the learner or the restore. */
    public ExpertCombination experts;
    public long framesSeen;
    public long scoredStations;
    public double squaredError;
    /** The rain seen so far while the rain scale is auto and not yet frozen (null otherwise); saved with the state. */
    public AdaptiveDefaults.RainSample rainSample;
    /** What the learner chose for this region (window, replay, rain scale); not saved (it follows from the rest). */
    public AdaptiveDefaults.Chosen chosen;
    /** {@link #modelHash()} of version {@link #hashVersion} (weights change only with the optimizer step). */
    private String hash;
    private long hashVersion = -1;

    public RegionState(Grid grid, List<String> features, int window, int horizon, long seed, RainForecaster forecaster) {
        this.grid = grid;
        this.features = List.copyOf(features);
        this.window = window;
        this.horizon = horizon;
        this.seed = seed;
        this.forecaster = forecaster;
    }

    /** A restored region whose ConvLSTM forecaster is rebuilt around {@code saved} on first use. */
    public static RegionState restored(Grid grid, List<String> features, int window, int horizon, long seed,
                                       ConvLstmRainForecaster.State saved) {
        RegionState s = new RegionState(grid, features, window, horizon, seed, null);
        s.saved = saved;
        return s;
    }

    /** The ConvLSTM forecaster's live state (what is checkpointed); null for another kind of forecaster. */
    public ConvLstmRainForecaster.State convLstmState() {
        return forecaster instanceof ConvLstmRainForecaster c ? c.state() : saved;
    }

    public RainForecaster forecaster() {
        return forecaster;
    }

    /** Optimizer steps applied so far (the forecast's model version); 0 for forecasters without an optimizer. */
    public long version() {
        ConvLstmRainForecaster.State c = convLstmState();
        return c == null ? 0 : c.optimizer.step();
    }

    /** {@link ModelHash} of the ConvLSTM network's weights, cached per version; null for another kind of forecaster. */
    public String modelHash() {
        ConvLstmRainForecaster.State c = convLstmState();
        if (c == null) {
            return null;
        }
        if (hash == null || hashVersion != version()) {
            hash = ModelHash.of(c.model);
            hashVersion = version();
        }
        return hash;
    }

    public double prequentialMse() {
        return scoredStations == 0 ? Double.NaN : squaredError / scoredStations;
    }

    /** Frames kept: the window of the example learned next ends {@code horizon} steps before the newest frame. */
    public int capacity() {
        return window + horizon - 1;
    }
}
