package dev.tandem.models.rain;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvLstmRainForecasterTest {
    private static final Grid GRID = new Grid(6, 6, 0, 0, 1, 1);
    private static final List<String> FEATURES = List.of("rain_mm");

    /** Rain moves one cell east per step: the next frame's rain is this frame's, shifted. */
    private static Frame frame(long step, float[] rain) {
        int n = GRID.cells();
        float[] values = new float[n];
        float[] ones = new float[n];
        for (int k = 0; k < n; k++) {
            values[k] = rain[k] / 5f;
            ones[k] = 1;
        }
        return new Frame(GRID, step, FEATURES, values, ones.clone(), ones.clone(), rain.clone(), ones.clone());
    }

    private static float[] shifted(float[] rain, SplittableRandom rng) {
        float[] next = new float[rain.length];
        for (int r = 0; r < GRID.rows(); r++) {
            next[r * GRID.cols()] = rng.nextDouble() < 0.3 ? (float) (10 * rng.nextDouble()) : 0f;
            for (int c = 1; c < GRID.cols(); c++) {
                next[r * GRID.cols() + c] = rain[r * GRID.cols() + c - 1];
            }
        }
        return next;
    }

    private static double mse(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s / a.length;
    }

    @Test
    void learnsRainThatDriftsEastAndSkipsStepsWithoutTargets() {
        ConvLstmRainForecaster f = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(),
                new Sgd(0.05, 0.9, 0), new ConvLstmRainForecaster.Settings(new int[] {8}, new int[] {3}, 4, 64, 2, 5.0), 1);
        SplittableRandom rng = new SplittableRandom(3);
        float[] rain = new float[GRID.cells()];
        List<Frame> frames = new ArrayList<>();
        double early = 0;
        double late = 0;
        for (int t = 0; t < 400; t++) {
            frames.add(frame(t, rain));
            float[] next = shifted(rain, rng);
            if (frames.size() > 2) {
                frames.remove(0);
            }
            if (frames.size() == 2) {
                float[] forecast = f.forecast(frames);
                double err = mse(forecast, next);
                if (t < 50) {
                    early += err;
                } else if (t >= 350) {
                    late += err;
                }
                f.learn(frames, next, frame(t + 1, next).rainMask());
            }
            rain = next;
        }
        assertTrue(late < 0.5 * early, "forecast MSE early " + early / 48 + " late " + late / 50);
        assertTrue(Double.isFinite(f.lastLoss()));
        assertEquals(0, f.skippedSteps());
        // A target without any observed cell changes nothing.
        float[] before = f.forecast(frames);
        f.learn(frames, new float[GRID.cells()], new float[GRID.cells()]);
        assertEquals(0, mse(before, f.forecast(frames)), 0.0);
    }
}
