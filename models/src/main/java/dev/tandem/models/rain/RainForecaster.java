package dev.tandem.models.rain;

import java.util.List;

/**
 * A rain forecaster that learns online from frames (the offline evaluation and the streaming trainer drive it the
 * same way). {@code window} holds the last T frames, oldest first, all on one grid; the forecast is for the frame
 * {@code horizon} steps after the window's last frame (the forecaster is built knowing T and the horizon). The
 * driver always asks for the forecast, scores it, and only then calls {@link #learn} with the same window and
 * the target that has since been observed.
 */
public interface RainForecaster {
    /** A short name for reports, e.g. {@code convlstm} or {@code online-linear-grid}. */
    String name();

    /** The forecast rain (mm) over the grid, row-major (rows × cols). */
    float[] forecast(List<Frame> window);

    /** Learns the window → target mapping; {@code targetMask} is 1 where {@code targetRainMm} was observed. */
    void learn(List<Frame> window, float[] targetRainMm, float[] targetMask);

    /**
     * The forecasts for every lead 1..horizon after the window's last frame ({@code [lead − 1][cell]}). A forecaster
     * that models only the step {@code horizon} ahead returns its {@link #forecast} for every lead.
     */
    default float[][] forecastLeads(List<Frame> window, int horizon) {
        float[] f = forecast(window);
        float[][] out = new float[horizon][];
        for (int k = 0; k < horizon; k++) {
            out[k] = f;
        }
        return out;
    }

    /**
     * Learns the window → the observed rain of each of the {@code horizon} steps after it ({@code targets[lead − 1]},
     * the last being {@link #learn}'s target). By default only the last lead is learned.
     */
    default void learnLeads(List<Frame> window, float[][] targets, float[][] masks) {
        learn(window, targets[targets.length - 1], masks[masks.length - 1]);
    }

    /** Builds a forecaster for a grid, its features (channels = 2F + 1, {@link Frame#input()}), T and horizon. */
    @FunctionalInterface
    interface Factory {
        RainForecaster create(Grid grid, List<String> features, int window, int horizon, long seed);
    }
}
