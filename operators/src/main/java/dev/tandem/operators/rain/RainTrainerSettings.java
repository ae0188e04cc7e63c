package dev.tandem.operators.rain;

import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.SalpSgd;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.optim.YamAdam;
import dev.tandem.models.rain.ConvLstmRainForecaster;
import dev.tandem.models.rain.TimeStep;

import java.io.Serializable;

/**
 * How the forecaster trainer learns (configuration {@code rainfall.*}, {@code compute.backend}): the time step, the
 * window T (frames in) and horizon k (the forecast is for the step k after the last observed one), the optimizer
 * ({@code ssgd} = S-SGD, the default; {@code sgd}, {@code adam}, {@code yamadam}) with its settings, the ConvLSTM
 * and its replay mini-batches ({@link ConvLstmRainForecaster.Settings}), the seed and the backend.
 */
public record RainTrainerSettings(String step, int window, int horizon, String optimizer, double learningRate,
                                  double momentum, int ssgdPopulation, double ssgdWindow, int ssgdHorizon, int[] hidden,
                                  int[] kernels, int batch, int replay, int stepsPerLearn, double rainScale, long seed,
                                  String backend) implements Serializable {
    public static final String[] OPTIMIZERS = {"ssgd", "sgd", "adam", "yamadam"};

    public RainTrainerSettings {
        TimeStep.parse(step);
        if (window < 1 || horizon < 1) {
            throw new IllegalArgumentException("rainfall.window and rainfall.horizon must be >= 1, got " + window + ", " + horizon);
        }
        hidden = hidden.clone();
        kernels = kernels.clone();
        if (hidden.length == 0 || hidden.length != kernels.length) {
            throw new IllegalArgumentException("rainfall.hidden and rainfall.kernels must list one value per ConvLSTM layer, got "
                    + hidden.length + " and " + kernels.length);
        }
        new ConvLstmRainForecaster.Settings(hidden, kernels, batch, replay, stepsPerLearn, rainScale);
        optimizer(optimizer, learningRate, momentum, ssgdPopulation, ssgdWindow, ssgdHorizon, seed);
    }

    public TimeStep timeStep() {
        return TimeStep.parse(step);
    }

    public ConvLstmRainForecaster.Settings forecasterSettings() {
        return new ConvLstmRainForecaster.Settings(hidden, kernels, batch, replay, stepsPerLearn, rainScale);
    }

    public Optimizer buildOptimizer() {
        return optimizer(optimizer, learningRate, momentum, ssgdPopulation, ssgdWindow, ssgdHorizon, seed);
    }

    private static Optimizer optimizer(String optimizer, double learningRate, double momentum, int ssgdPopulation,
                                       double ssgdWindow, int ssgdHorizon, long seed) {
        return switch (optimizer) {
            case "ssgd" -> new SalpSgd(learningRate, momentum, 0, ssgdPopulation, ssgdWindow, ssgdHorizon, 2, 0, seed);
            case "sgd" -> new Sgd(learningRate, momentum, 0);
            case "adam" -> new Adam(learningRate);
            case "yamadam" -> new YamAdam(YamAdam.DEFAULT_EPS);
            default -> throw new IllegalArgumentException("rainfall.optimizer = " + optimizer
                    + "; allowed: ssgd, sgd, adam, yamadam");
        };
    }
}
