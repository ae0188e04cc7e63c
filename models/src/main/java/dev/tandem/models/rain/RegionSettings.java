package dev.tandem.models.rain;

import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Optimizers;
import dev.tandem.learning.optim.TrainingGuard;

import java.io.Serializable;

/**
 * How a region's forecaster learns (configuration {@code rainfall.*}, {@code compute.backend}): the time step, the
 * window T (frames in) and horizon k (the forecast is for the step k after the last observed one), the optimizer (any
 * of {@link Optimizers#NAMES}; {@code s-sgd} by default) with its settings, the ConvLSTM and its replay mini-batches
 * ({@link ConvLstmRainForecaster.Settings}), the seed, the backend, and the numerical guard of the training steps
 * ({@code training.*}: gradient clipping, faults in a row before a report). The streaming job and {@code eval rainfall}
 * build their learner from this one record.
 *
 * <p>{@code window}, {@code replay} and {@code rainScale} may be 0: {@code auto}, chosen from the region's stream by
 * {@link AdaptiveDefaults} (the window and the replay from the step, the grid and the features; the rain scale from
 * the rain of the first frames); a value &gt; 0 is used as it is.
 */
public record RegionSettings(String step, int window, int horizon, String optimizer, double learningRate,
                             double momentum, int ssgdPopulation, double ssgdWindow, int ssgdHorizon,
                             int ssgdPlateauPatience, int[] hidden, int[] kernels, int batch, int replay,
                             int stepsPerLearn, double rainScale, long seed, String backend,
                             double rainThresholdMm, TrainingGuard guard) implements Serializable {
    /** The default threshold of the probability of rain (mm), {@code rainfall.rain-threshold-mm}. */
    public static final double DEFAULT_THRESHOLD_MM = 1.0;

    /** Settings with the default numerical guard (clipping off). */
    public RegionSettings(String step, int window, int horizon, String optimizer, double learningRate, double momentum,
                          int ssgdPopulation, double ssgdWindow, int ssgdHorizon, int ssgdPlateauPatience, int[] hidden,
                          int[] kernels, int batch, int replay, int stepsPerLearn, double rainScale, long seed,
                          String backend, double rainThresholdMm) {
        this(step, window, horizon, optimizer, learningRate, momentum, ssgdPopulation, ssgdWindow, ssgdHorizon,
                ssgdPlateauPatience, hidden, kernels, batch, replay, stepsPerLearn, rainScale, seed, backend,
                rainThresholdMm, TrainingGuard.DEFAULT);
    }

    /** Settings with the default rain threshold and numerical guard. */
    public RegionSettings(String step, int window, int horizon, String optimizer, double learningRate, double momentum,
                          int ssgdPopulation, double ssgdWindow, int ssgdHorizon, int ssgdPlateauPatience, int[] hidden,
                          int[] kernels, int batch, int replay, int stepsPerLearn, double rainScale, long seed,
                          String backend) {
        this(step, window, horizon, optimizer, learningRate, momentum, ssgdPopulation, ssgdWindow, ssgdHorizon,
                ssgdPlateauPatience, hidden, kernels, batch, replay, stepsPerLearn, rainScale, seed, backend,
                DEFAULT_THRESHOLD_MM, TrainingGuard.DEFAULT);
    }


    public RegionSettings {
        TimeStep.parse(step);
        if (guard == null) {
            guard = TrainingGuard.DEFAULT;
        }
        if (window < 0 || horizon < 1) {
            throw new IllegalArgumentException("rainfall.window (0: auto) and rainfall.horizon must be >= 1, got "
                    + window + ", " + horizon);
        }
        if (replay < 0 || rainScale < 0) {
            throw new IllegalArgumentException("rainfall.replay and rainfall.rain-scale must be > 0 (0: auto), got "
                    + replay + ", " + rainScale);
        }
        if (!(rainThresholdMm > 0) || !Double.isFinite(rainThresholdMm)) {
            throw new IllegalArgumentException("invalid value " + rainThresholdMm
                    + " for configuration key rainfall.rain-threshold-mm; allowed: > 0 mm");
        }
        hidden = hidden.clone();
        kernels = kernels.clone();
        if (hidden.length == 0 || hidden.length != kernels.length) {
            throw new IllegalArgumentException("rainfall.hidden and rainfall.kernels must list one value per ConvLSTM layer, got "
                    + hidden.length + " and " + kernels.length);
        }
        new ConvLstmRainForecaster.Settings(hidden, kernels, batch, replay == 0 ? batch : replay, stepsPerLearn,
                rainScale);
        Optimizers.require(optimizer, "rainfall.optimizer");
        spec(optimizer, learningRate, momentum, ssgdPopulation, ssgdWindow, ssgdHorizon, ssgdPlateauPatience, seed).build();
    }

    public TimeStep timeStep() {
        return TimeStep.parse(step);
    }

    /** The forecaster's settings with the replay as configured (which must not be auto: see the overload). */
    public ConvLstmRainForecaster.Settings forecasterSettings() {
        if (replay == 0) {
            throw new IllegalStateException("rainfall.replay is auto: it is chosen per region (forecasterSettings(replay))");
        }
        return forecasterSettings(replay);
    }

    /**
     * The forecaster's settings with the replay chosen for a region (rain scale 0: auto, the learner's) and the
     * climatology time constants of the configured step.
     */
    public ConvLstmRainForecaster.Settings forecasterSettings(int chosenReplay) {
        return forecasterSettings(chosenReplay, timeStep());
    }

    /**
     * The forecaster's settings for a region whose frames are steps of {@code frames} (the evaluation's inferred
     * step may differ from the configured one): the climatology channels' time constants follow it
     * ({@link AdaptiveDefaults#climateShortSteps}, {@link AdaptiveDefaults#climateLongSteps}).
     */
    public ConvLstmRainForecaster.Settings forecasterSettings(int chosenReplay, TimeStep frames) {
        return new ConvLstmRainForecaster.Settings(hidden, kernels, batch, chosenReplay, stepsPerLearn, rainScale, guard,
                AdaptiveDefaults.climateShortSteps(frames), AdaptiveDefaults.climateLongSteps(frames));
    }

    /** The same settings with another numerical guard. */
    public RegionSettings withGuard(TrainingGuard next) {
        return new RegionSettings(step, window, horizon, optimizer, learningRate, momentum, ssgdPopulation, ssgdWindow,
                ssgdHorizon, ssgdPlateauPatience, hidden, kernels, batch, replay, stepsPerLearn, rainScale, seed, backend,
                rainThresholdMm, next);
    }

    public Optimizer buildOptimizer() {
        return spec(optimizer, learningRate, momentum, ssgdPopulation, ssgdWindow, ssgdHorizon, ssgdPlateauPatience,
                seed).build();
    }

    private static Optimizers.Spec spec(String name, double lr, double momentum, int salps, double window, int horizon,
                                        int patience, long seed) {
        return new Optimizers.Spec(name, lr, momentum, salps, window, horizon, patience, seed);
    }
}
