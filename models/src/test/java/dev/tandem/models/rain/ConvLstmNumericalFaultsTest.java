package dev.tandem.models.rain;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelHash;
import dev.tandem.learning.optim.GradientClipping;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.learning.nn.Param;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rain forecaster under numerical faults: poisoned frames never reach the model or the replay; clipping bounds. */
class ConvLstmNumericalFaultsTest {
    private static final Grid GRID = new Grid(4, 4, 0, 0, 1, 1);
    private static final List<String> FEATURES = List.of("rain_mm");

    private static Frame frame(long step, float[] rain, float scale) {
        int n = GRID.cells();
        float[] values = new float[n];
        float[] ones = new float[n];
        for (int k = 0; k < n; k++) {
            values[k] = rain[k] / 5f * scale;
            ones[k] = 1;
        }
        return new Frame(GRID, step, FEATURES, values, ones.clone(), ones.clone(), rain.clone(), ones.clone());
    }

    private static float[] rain(SplittableRandom rng) {
        float[] r = new float[GRID.cells()];
        for (int k = 0; k < r.length; k++) {
            r[k] = rng.nextDouble() < 0.4 ? (float) (8 * rng.nextDouble()) : 0f;
        }
        return r;
    }

    private static ConvLstmRainForecaster forecaster(double lr, TrainingGuard guard) {
        return new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(), new Sgd(lr, 0.9, 0),
                new ConvLstmRainForecaster.Settings(new int[] {4}, new int[] {3}, 3, 16, 1, 5.0, guard), 1);
    }

    @Test
    void nanAndInfiniteFramesLeaveTheModelAndTheReplayUnchangedAndAreCounted() {
        ConvLstmRainForecaster f = forecaster(0.05, new TrainingGuard(GradientClipping.OFF, 2));
        SplittableRandom rng = new SplittableRandom(5);
        for (int t = 0; t < 6; t++) {
            f.learn(List.of(frame(2 * t, rain(rng), 1), frame(2 * t + 1, rain(rng), 1)), rain(rng), ones());
        }
        String hash = ModelHash.of(f.model());
        long learned = f.learned();
        long stored = f.replay().stored();
        float[] badValue = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < badValue.length; i++) {
            Frame poisoned = frame(100 + i, rain(rng), 1);
            poisoned.values()[i] = badValue[i];
            f.learn(List.of(frame(99 + i, rain(rng), 1), poisoned), rain(rng), ones());
            assertEquals(hash, ModelHash.of(f.model()), "weights and buffers after " + badValue[i]);
        }
        assertEquals(learned, f.learned());
        assertEquals(stored, f.replay().stored(), "kept out of the replay");
        assertEquals(3, f.skippedSteps());
        assertEquals(3, f.state().faults().consecutive());
        assertTrue(f.state().faults().takeReport(), "2 in a row were reported");
        assertEquals("non-finite input", f.state().faults().last());
        f.learn(List.of(frame(200, rain(rng), 1), frame(201, rain(rng), 1)), rain(rng), ones());
        assertEquals(0, f.state().faults().consecutive(), "a good step ends the run");
        assertFalse(hash.equals(ModelHash.of(f.model())));
    }

    @Test
    void stepsThatOverflowAreRefusedByTheGuardAndLeaveTheModelBitForBit() {
        // a learning rate of 1e38 sends the weights to ~1e38: the updates, or the forward passes after them, overflow
        ConvLstmRainForecaster f = forecaster(1e38, TrainingGuard.DEFAULT);
        SplittableRandom rng = new SplittableRandom(6);
        int refused = 0;
        for (int t = 0; t < 6; t++) {
            String hash = ModelHash.of(f.model());
            long version = f.optimizerState().step();
            long skipped = f.skippedSteps();
            f.learn(List.of(frame(2 * t, rain(rng), 1), frame(2 * t + 1, rain(rng), 1)), rain(rng), ones());
            if (f.skippedSteps() > skipped) {
                refused++;
                assertEquals(hash, ModelHash.of(f.model()), "step " + t + " refused: bit for bit");
                assertEquals(version, f.optimizerState().step());
                String what = f.state().faults().last();
                assertTrue(what.startsWith("non-finite ") && !what.equals("non-finite input"), what);
            }
            assertTrue(finite(f), "step " + t);
        }
        assertTrue(refused >= 1, "some step overflowed");
    }

    @Test
    void explodingUpdatesStayFiniteAndWithClippingNoneIsRefused() {
        // a learning rate of 10 and inputs scaled by 1e4: the unclipped run has its steps refused or its weights run
        // away; clipped to norm 1, every step is applied and the weights stay finite and bounded
        List<List<Frame>> windows = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(7);
        for (int t = 0; t < 30; t++) {
            windows.add(List.of(frame(2 * t, rain(rng), 1e4f), frame(2 * t + 1, rain(rng), 1e4f)));
            targets.add(rain(rng));
        }
        ConvLstmRainForecaster free = forecaster(10, TrainingGuard.DEFAULT);
        ConvLstmRainForecaster clipped = forecaster(10, new TrainingGuard(GradientClipping.norm(1), 5));
        double start = maxAbs(clipped);
        for (int t = 0; t < windows.size(); t++) {
            free.learn(windows.get(t), targets.get(t), ones());
            clipped.learn(windows.get(t), targets.get(t), ones());
        }
        assertTrue(finite(free) && finite(clipped));
        assertTrue(free.skippedSteps() > 0 || maxAbs(free) > 1e3, "unclipped: " + free.skippedSteps() + " skipped, max |w| "
                + maxAbs(free));
        assertEquals(0, clipped.skippedSteps());
        assertEquals(30, clipped.optimizerState().step());
        assertTrue(maxAbs(clipped) <= start + 30 * 10 * 10, "bounded by lr·Σ0.9^k per step: " + maxAbs(clipped));
    }

    private static float[] ones() {
        float[] m = new float[GRID.cells()];
        java.util.Arrays.fill(m, 1);
        return m;
    }

    private static boolean finite(ConvLstmRainForecaster f) {
        for (Param p : f.model().params()) {
            if (!p.value().backend().allFinite(p.value())) {
                return false;
            }
        }
        return true;
    }

    private static double maxAbs(ConvLstmRainForecaster f) {
        double m = 0;
        for (Param p : f.model().params()) {
            for (float v : p.value().toFloatArray()) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
