package dev.tandem.operators.rain;

import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.models.rain.ConvLstmRainForecaster;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.learning.tensor.Backend;

import java.util.ArrayList;
import java.util.List;

/**
 * The keyed state of one region's forecaster: the grid and features it was built for, the ConvLSTM and its
 * optimizer state, counters, the last {@code window + horizon − 1} frames, and the forecasts not yet scored (valid
 * for a step not yet observed). Written by {@link RainModelSerializer}; the forecaster object around the model is
 * rebuilt from it after a restore, with its replay of recent examples ({@link ConvLstmRainForecaster.Replay}).
 */
public final class RainModel {
    /** A forecast waiting for its step to be observed. */
    public record Pending(long validStep, float[] rainMm) {
    }

    public final Grid grid;
    public final List<String> features;
    public final int window;
    public final int horizon;
    public final long seed;
    public Sequential model;
    public OptimizerState optimizerState;
    public long framesSeen;
    public long scoredStations;
    public double squaredError;
    public long learned;
    public long skipped;
    public double lastLoss = Double.NaN;
    /** The forecaster's online climatology channels ({@link ConvLstmRainForecaster#climate()}); empty at first. */
    public float[] climate = new float[0];
    /** The forecaster's replay of recent training examples (empty in state written before format 2). */
    public ConvLstmRainForecaster.Replay replay = ConvLstmRainForecaster.Replay.EMPTY;
    public final List<RainFrame> frames = new ArrayList<>();
    public final List<Pending> pending = new ArrayList<>();
    transient ConvLstmRainForecaster forecaster;

    public RainModel(Grid grid, List<String> features, int window, int horizon, long seed) {
        this.grid = grid;
        this.features = List.copyOf(features);
        this.window = window;
        this.horizon = horizon;
        this.seed = seed;
    }

    /** A fresh model for a region whose first frame is {@code f}. */
    public static RainModel create(RainTrainerSettings s, RainFrame f, Backend backend) {
        RainModel m = new RainModel(f.grid(), List.of(f.features), s.window(), s.horizon(), s.seed());
        m.forecaster = new ConvLstmRainForecaster(m.grid, m.features, m.window, m.horizon, backend, s.buildOptimizer(),
                s.forecasterSettings(), s.seed());
        m.model = m.forecaster.model();
        m.optimizerState = m.forecaster.optimizerState();
        return m;
    }

    /** The forecaster around this state (built on first use after a restore). */
    public ConvLstmRainForecaster forecaster(RainTrainerSettings s) {
        if (forecaster == null) {
            forecaster = new ConvLstmRainForecaster(grid, features, window, horizon, model, s.buildOptimizer(),
                    optimizerState, s.forecasterSettings(), seed, learned, skipped, lastLoss, climate, replay);
        }
        return forecaster;
    }

    /** Copies the forecaster's counters into the state. */
    void sync() {
        learned = forecaster.learned();
        skipped = forecaster.skippedSteps();
        lastLoss = forecaster.lastLoss();
        climate = forecaster.climate();
        replay = forecaster.replay();
    }

    /** Optimizer steps applied so far. */
    public long version() {
        return optimizerState.step();
    }

    public double prequentialMse() {
        return scoredStations == 0 ? Double.NaN : squaredError / scoredStations;
    }

    /** Whether frames of this shape can go through this model. */
    public boolean fits(RainFrame f) {
        return f.grid().equals(grid) && List.of(f.features).equals(features);
    }

    int capacity() {
        return window + horizon - 1;
    }

    static List<Frame> toFrames(List<RainFrame> fs) {
        List<Frame> out = new ArrayList<>(fs.size());
        for (RainFrame f : fs) {
            out.add(f.toFrame());
        }
        return out;
    }
}
