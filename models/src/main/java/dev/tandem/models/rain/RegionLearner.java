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
 *       frame's stations (the lead-H forecast of the station's cell, {@link Grid#sample}; squared error in mm²), and
 *       every due forecast (each lead) scores the combination's components ({@link ExpertCombination#score});</li>
 *   <li><b>learn</b>: once {@code T + H − 1} frames are kept, the oldest T of them (the window that ends H frames
 *       before this one) → the rain of the H frames after it (leads 1..H, the last being this one); a NaN or
 *       infinite loss skips the update (counted by the forecaster). The online baselines learn too
 *       ({@link ExpertCombination#learn});</li>
 *   <li><b>forecast</b>: from the newest T frames, the rain 1..H steps after this one — the forecaster's leads combined
 *       with the baselines, with a probability of rain ≥ the threshold — kept until their steps are observed.</li>
 * </ol>
 * The first T − 1 frames of a region forecast nothing (no full window yet). Frames are the steps that had readings,
 * in order; a step without readings has no frame.
 *
 * <p>Settings left {@code auto} (window, replay, rain scale: {@link AdaptiveDefaults}) are chosen here, from the
 * region's own stream, for the job and the evaluation alike: the window and the replay when the region is created
 * (from its time step, grid and features), the rain scale from the rain its stations report in the first frames —
 * the ConvLSTM learns nothing until it is frozen. A region seeded from a model file that carries its rain scale
 * ({@link ConvLstmRainForecaster#RAIN_SCALE_PROPERTY}) takes that scale when the configuration says {@code auto}
 * (the seeded weights are in those units); a set value still wins. {@link Step#chosen} reports the choices once, on the frame where
 * the last of them was made; {@link RegionState#chosen} keeps them.
 */
public final class RegionLearner {
    private final int window;
    private final int horizon;
    private final long seed;
    private final RainForecaster.Factory factory;
    private final RegionSettings settings;
    private final TimeStep timeStep;
    private final double threshold;
    /** The model file new regions' ConvLSTM starts from (null: its own initial weights). */
    private final dev.tandem.learning.io.ModelSeed initial;
    /** The ConvLSTM's backend (null for a learner around another forecaster). */
    private final Backend backend;

    /** A learner around any forecaster ({@code eval rainfall --model}); its state is not restorable. */
    public RegionLearner(int window, int horizon, long seed, RainForecaster.Factory factory, TimeStep timeStep,
                         double thresholdMm) {
        this(window, horizon, seed, factory, null, timeStep, thresholdMm, null, null);
    }

    private RegionLearner(int window, int horizon, long seed, RainForecaster.Factory factory, RegionSettings settings,
                          TimeStep timeStep, double threshold, dev.tandem.learning.io.ModelSeed initial,
                          Backend backend) {
        if (window < 0) {
            throw new IllegalArgumentException("window must be >= 1 (0: auto), got " + window);
        }
        this.backend = backend;
        this.window = window;
        this.horizon = horizon;
        this.seed = seed;
        this.factory = factory;
        this.settings = settings;
        this.timeStep = timeStep;
        this.threshold = threshold;
        this.initial = initial;
    }

    /**
     * The same learner, whose new regions' ConvLSTM starts from a model file's weights (and its optimizer state when
     * it holds the configured optimizer's) instead of its own initial ones; null: its own. The baselines and the
     * combination start fresh (they are not in a model file).
     */
    public RegionLearner withInitialModel(dev.tandem.learning.io.ModelSeed model) {
        return new RegionLearner(window, horizon, seed, factory, settings, timeStep, threshold, model, backend);
    }

    /** The streaming job's learner: the ConvLSTM of the settings on a backend (restorable from saved state). */
    public static RegionLearner convLstm(RegionSettings s, Backend backend) {
        return new RegionLearner(s.window(), s.horizon(), s.seed(), null, s, s.timeStep(), s.rainThresholdMm(), null,
                backend);
    }

    /** The window for frames of {@code step}: the configured one, or when auto the rule's. */
    public int windowFor(TimeStep step) {
        return window > 0 ? window : AdaptiveDefaults.window(step);
    }

    /** The ConvLSTM's replay for a region: the configured one, or when auto the rule's (0 for another forecaster). */
    int replayFor(TimeStep step, Grid grid, List<String> features, int w) {
        if (settings == null) {
            return 0;
        }
        if (settings.replay() > 0) {
            return settings.replay();
        }
        long floats = ((long) w * (2L * features.size() + 1 + 4) + 2L * horizon) * grid.cells();
        return AdaptiveDefaults.replay(step, settings.batch(), floats);
    }

    /** What a region on this grid, with these features and steps, gets (the rain scale: as set, or NaN when auto). */
    public AdaptiveDefaults.Chosen chosen(TimeStep step, Grid grid, List<String> features) {
        int w = windowFor(step);
        boolean convLstm = settings != null;
        double scale = convLstm && settings.rainScale() > 0 ? settings.rainScale() : Double.NaN;
        return new AdaptiveDefaults.Chosen(step, w, window == 0, replayFor(step, grid, features, w),
                convLstm && settings.replay() == 0, scale, convLstm && settings.rainScale() == 0, 0, 0, 0,
                convLstm ? settings.learningRate() : 0, convLstm ? AdaptiveDefaults.climateShortSteps(step) : 0,
                convLstm ? AdaptiveDefaults.climateLongSteps(step) : 0, null, Double.NaN);
    }

    /** The region's forecaster, wrapped around its restored state on first use after a restore. */
    public RainForecaster forecaster(RegionState s) {
        if (s.forecaster == null) {
            if (settings == null || s.saved == null) {
                throw new IllegalStateException("region state without a forecaster, and none to restore");
            }
            if (Double.isNaN(s.saved.rainScale()) && s.rainSample == null) {
                // state written before the scale was saved: its model learned in the configured units, the old
                // default 10 mm when the configuration now says auto
                s.saved.setRainScale(settings.rainScale() > 0 ? settings.rainScale() : AdaptiveDefaults.LEGACY_RAIN_SCALE);
            }
            s.forecaster = new ConvLstmRainForecaster(s.grid, s.features, s.window, s.horizon, settings.buildOptimizer(),
                    settings.forecasterSettings(replayFor(timeStep, s.grid, s.features, s.window), timeStep), s.seed,
                    s.saved);
            s.saved = null;
            AdaptiveDefaults.Chosen c = chosen(timeStep, s.grid, s.features);
            s.chosen = new AdaptiveDefaults.Chosen(c.step(), s.window, c.windowAuto(), c.replay(), c.replayAuto(),
                    s.convLstmState().rainScale(), c.rainScaleAuto(), 0, 0, 0, c.learningRate(), c.climateShortSteps(),
                    c.climateLongSteps(), null, Double.NaN);
        }
        return s.forecaster;
    }

    /**
     * What one frame did: the forecasts due at its step (every lead), the station score of the lead-H one, and the
     * forecasts it issued for leads 1..H ({@code issued} is lead H; both empty/null before T frames).
     */
    public record Step(List<RegionState.Pending> due, double squaredError, int scored, RegionState.Pending issued,
                       List<RegionState.Pending> issuedLeads, AdaptiveDefaults.Chosen chosen) {
        /** Mean squared error (mm²) of this step's forecasts over the stations scored; null when none was due. */
        public Double mse() {
            return due.isEmpty() ? null : squaredError / Math.max(1, scored);
        }
    }

    public RegionState create(Grid grid, List<String> features) {
        return create(grid, features, timeStep);
    }

    /** A fresh region whose frames are steps of {@code step} (the calendar month of a step keys the climatology). */
    public RegionState create(Grid grid, List<String> features, TimeStep step) {
        AdaptiveDefaults.Chosen chosen = chosen(step, grid, features);
        int w = chosen.window();
        RainForecaster f = settings == null ? factory.create(grid, features, w, horizon, seed)
                : new ConvLstmRainForecaster(grid, features, w, horizon, backend, settings.buildOptimizer(),
                settings.forecasterSettings(chosen.replay(), step), seed);
        RegionState s = new RegionState(grid, features, w, horizon, seed, f);
        s.chosen = chosen;
        if (chosen.rainScaleAuto()) {
            s.rainSample = new AdaptiveDefaults.RainSample();
        }
        if (initial != null) {
            ConvLstmRainForecaster.State c = s.convLstmState();
            if (c == null) {
                throw new IllegalArgumentException("an initial model seeds the ConvLSTM forecaster only, not "
                        + s.forecaster().name());
            }
            initial.seed(c.model, c.optimizer);
            double fileScale = ConvLstmRainForecaster.rainScaleOf(initial);
            if (Double.isFinite(fileScale)) {
                // the seeded weights are in the file's units: auto adopts them (nothing to sample), a set value wins
                s.chosen = s.chosen.withScaleFile(initial.source(), fileScale);
                if (chosen.rainScaleAuto()) {
                    c.setRainScale(fileScale);
                    s.rainSample = null;
                }
            }
        }
        s.experts = new ExpertCombination(step, threshold, horizon, grid.cells());
        return s;
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
        if (s.experts == null) {
            s.experts = new ExpertCombination(timeStep, threshold, s.horizon, s.grid.cells());
        }
        s.framesSeen++;
        AdaptiveDefaults.Chosen chosenNow = null;
        if (s.rainSample != null) {
            // the rain scale (auto): sampled from the stations' rain until there is enough, then frozen
            ConvLstmRainForecaster.State c = s.convLstmState();
            s.rainSample.add(stations.rainMm());
            if (c != null && Double.isFinite(c.rainScale())) {
                s.rainSample = null; // restored under a configuration that sets the scale: the configured one holds
            } else if (c != null && s.rainSample.ready()) {
                c.setRainScale(s.rainSample.scale());
                if (s.chosen != null) {
                    s.chosen = s.chosen.withScale(c.rainScale(), s.rainSample);
                    chosenNow = s.chosen;
                }
                s.rainSample = null;
            }
        } else if (s.framesSeen == 1) {
            chosenNow = s.chosen;
        }
        // 1. score the forecasts made for this step, before anything is learned from it
        double se = 0;
        int scored = 0;
        List<RegionState.Pending> due = new ArrayList<>(1);
        for (Iterator<RegionState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
            RegionState.Pending p = it.next();
            if (p.validStep() == frame.step()) {
                due.add(p);
                s.experts.score(p, frame.rainMm(), frame.rainMask());
                if (p.lead() == s.horizon) {
                    for (int i = 0; i < stations.size(); i++) {
                        float obs = stations.rainMm()[i];
                        float pred = s.grid.sample(p.rainMm(), stations.lat()[i], stations.lon()[i]);
                        if (Float.isFinite(obs) && Float.isFinite(pred)) {
                            se += (double) (pred - obs) * (pred - obs);
                            scored++;
                        }
                    }
                }
            }
            if (p.validStep() <= frame.step()) {
                it.remove();
            }
        }
        s.squaredError += se;
        s.scoredStations += scored;
        // 2. learn: the window that ends H frames before this one → the rain of the H frames after it
        if (s.frames.size() == s.capacity()) {
            float[][] targets = new float[s.horizon][];
            float[][] masks = new float[s.horizon][];
            for (int h = 0; h < s.horizon - 1; h++) {
                Frame f = s.frames.get(s.window + h);
                targets[h] = f.rainMm();
                masks[h] = f.rainMask();
            }
            targets[s.horizon - 1] = frame.rainMm();
            masks[s.horizon - 1] = frame.rainMask();
            forecaster.learnLeads(s.frames.subList(0, s.window), targets, masks);
        }
        s.experts.learn(s.frames, s.window, frame);
        s.frames.add(frame);
        while (s.frames.size() > s.capacity()) {
            s.frames.remove(0);
        }
        // 3. forecast 1..H steps after this one from the newest T frames
        RegionState.Pending issued = null;
        List<RegionState.Pending> leads = List.of();
        if (s.frames.size() >= s.window) {
            List<Frame> w = List.copyOf(s.frames.subList(s.frames.size() - s.window, s.frames.size()));
            leads = s.experts.forecast(frame.step(), w, forecaster.forecastLeads(w, s.horizon));
            s.pending.addAll(leads);
            issued = leads.get(leads.size() - 1);
        }
        return new Step(due, se, scored, issued, leads, chosenNow);
    }
}
