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

    /** Builds a forecaster for a grid, its features (channels = 2F + 1, {@link Frame#input()}), T and horizon. */
    @FunctionalInterface
    interface Factory {
        RainForecaster create(Grid grid, List<String> features, int window, int horizon, long seed);
    }
}
