package dev.tandem.models.rain;

import dev.tandem.learning.tensor.Backend;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Prequential rainfall forecasting for one region, free of Flink: the one place where a region's frame is scored,
 * learned from and forecast from. The streaming operator ({@code RegionTrainerFunction}) keeps a {@link RegionState}
 * per region in keyed state and calls {@link #observe} for each frame the rasterizer emits; {@code eval rainfall}
 * feeds a file's time steps through the same method. On each frame, in this order:
 * <ol>
 *   <li><b>score</b>: the forecasts issued earlier for this frame's step are compared with the rain observed at the
 *       frame's stations (the forecast of the station's cell, {@link Grid#sample}; squared error in mm²);</li>
 *   <li><b>learn</b>: once {@code T + k − 1} frames are kept, the oldest T of them (the window that ends k frames before
 *       this one) → this frame's observed rain; a NaN or infinite loss skips the update (counted by the forecaster);</li>
 *   <li><b>forecast</b>: from the newest T frames, the rain k steps after this one, kept until its step is observed.</li>
 * </ol>
 * The first T − 1 frames of a region forecast nothing (no full window yet). Frames are the steps that had readings,
 * in order; a step without readings has no frame.
 */
public final class RegionLearner {
    private final int window;
    private final int horizon;
    private final long seed;
    private final RainForecaster.Factory factory;
    private final RegionSettings settings;

    /** A learner around any forecaster ({@code eval rainfall --model}); its state is not restorable. */
    public RegionLearner(int window, int horizon, long seed, RainForecaster.Factory factory) {
        this(window, horizon, seed, factory, null);
    }

    private RegionLearner(int window, int horizon, long seed, RainForecaster.Factory factory, RegionSettings settings) {
        this.window = window;
        this.horizon = horizon;
        this.seed = seed;
        this.factory = factory;
        this.settings = settings;
    }

    /** The streaming job's learner: the ConvLSTM of the settings on a backend (restorable from saved state). */
    public static RegionLearner convLstm(RegionSettings s, Backend backend) {
        return new RegionLearner(s.window(), s.horizon(), s.seed(), (grid, features, window, horizon, seed) ->
                new ConvLstmRainForecaster(grid, features, window, horizon, backend, s.buildOptimizer(),
                        s.forecasterSettings(), seed), s);
    }

    /** The region's forecaster, wrapped around its restored state on first use after a restore. */
    public RainForecaster forecaster(RegionState s) {
        if (s.forecaster == null) {
            if (settings == null || s.saved == null) {
                throw new IllegalStateException("region state without a forecaster, and none to restore");
            }
            s.forecaster = new ConvLstmRainForecaster(s.grid, s.features, s.window, s.horizon, settings.buildOptimizer(),
                    settings.forecasterSettings(), s.seed, s.saved);
            s.saved = null;
        }
        return s.forecaster;
    }

    /** What one frame did: the score of the forecasts made for it, and the forecast it issued (null before T frames). */
    public record Step(List<RegionState.Pending> due, double squaredError, int scored, RegionState.Pending issued) {
        /** Mean squared error (mm²) of this step's forecasts over the stations scored; null when none was due. */
        public Double mse() {
            return due.isEmpty() ? null : squaredError / Math.max(1, scored);
        }
    }

    public RegionState create(Grid grid, List<String> features) {
        return new RegionState(grid, features, window, horizon, seed, factory.create(grid, features, window, horizon, seed));
    }

    /** Null when frames of this grid and these features fit the region's state, else why not. */
    public String mismatch(RegionState s, Grid grid, List<String> features) {
        if (grid.equals(s.grid) && features.equals(s.features)) {
            return null;
        }
        return "frame on grid " + grid + " with features " + features + " does not fit the region's model (" + s.grid
                + ", " + s.features + ")";
    }

    public Step observe(RegionState s, Frame frame, StationRain stations) {
        RainForecaster forecaster = forecaster(s);
        s.framesSeen++;
        // 1. score the forecasts made for this step, before anything is learned from it
        double se = 0;
        int scored = 0;
        List<RegionState.Pending> due = new ArrayList<>(1);
        for (Iterator<RegionState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
            RegionState.Pending p = it.next();
            if (p.validStep() == frame.step()) {
                due.add(p);
                for (int i = 0; i < stations.size(); i++) {
                    float obs = stations.rainMm()[i];
                    float pred = s.grid.sample(p.rainMm(), stations.lat()[i], stations.lon()[i]);
                    if (Float.isFinite(obs) && Float.isFinite(pred)) {
                        se += (double) (pred - obs) * (pred - obs);
                        scored++;
                    }
                }
            }
            if (p.validStep() <= frame.step()) {
                it.remove();
            }
        }
        s.squaredError += se;
        s.scoredStations += scored;
        // 2. learn: the window that ends k frames before this one → this frame's rain
        if (s.frames.size() == s.capacity()) {
            forecaster.learn(s.frames.subList(0, s.window), frame.rainMm(), frame.rainMask());
        }
        s.frames.add(frame);
        while (s.frames.size() > s.capacity()) {
            s.frames.remove(0);
        }
        // 3. forecast k steps after this one from the newest T frames
        RegionState.Pending issued = null;
        if (s.frames.size() >= s.window) {
            float[] grid = forecaster.forecast(List.copyOf(s.frames.subList(s.frames.size() - s.window, s.frames.size())));
            issued = new RegionState.Pending(frame.step() + s.horizon, grid);
            s.pending.add(issued);
        }
        return new Step(due, se, scored, issued);
    }
}
