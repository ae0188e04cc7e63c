package dev.tandem.models.rain;

import dev.tandem.learning.backend.JavaBackend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of the {@code auto} settings ({@link AdaptiveDefaults}) on 10-minute, hourly, daily and monthly steps,
 * dense and sparse networks, wet and dry climates; explicit values win; the learner freezes the rain scale from
 * the stream and only then lets the ConvLSTM learn.
 */
class AdaptiveDefaultsTest {
    static final TimeStep TEN_MIN = TimeStep.parse("10min");

    @Test
    void theWindowCoversFourDaysOfStepsWithinItsBounds() {
        assertEquals(24, AdaptiveDefaults.window(TEN_MIN), "10 min: 576 steps, bounded to 24 (4 h)");
        assertEquals(24, AdaptiveDefaults.window(TimeStep.HOURLY), "hourly: 96, bounded to 24 (one diurnal cycle)");
        assertEquals(16, AdaptiveDefaults.window(TimeStep.parse("6h")));
        assertEquals(8, AdaptiveDefaults.window(TimeStep.parse("12h")));
        assertEquals(4, AdaptiveDefaults.window(TimeStep.DAILY), "daily: 4 days");
        assertEquals(3, AdaptiveDefaults.window(TimeStep.parse("2d")), "2 days: 2, at least 3");
        assertEquals(3, AdaptiveDefaults.window(TimeStep.parse("7d")));
        assertEquals(3, AdaptiveDefaults.window(TimeStep.MONTHLY), "monthly: a season");
    }

    @Test
    void theReplayHoldsAYearOfStepsWithinItsMemoryBound() {
        long small = 1000; // floats per example: a tiny grid
        assertEquals(366, AdaptiveDefaults.replay(TimeStep.DAILY, 4, small), "daily: a year");
        assertEquals(64, AdaptiveDefaults.replay(TimeStep.MONTHLY, 4, small), "monthly: 12, at least 64");
        assertEquals(4096, AdaptiveDefaults.replay(TimeStep.HOURLY, 4, small), "hourly: 8766, at most 4096");
        assertEquals(4096, AdaptiveDefaults.replay(TEN_MIN, 4, small));
        // the BoM-sized daily grid: (4 x 27 + 2) x 432 floats = 190 kB an example; a year fits 256 MiB
        assertEquals(366, AdaptiveDefaults.replay(TimeStep.DAILY, 4, 110L * 432));
        // hourly on that grid with T = 24: 2.8 MB an example, so 256 MiB hold 95 of them
        long hourly = (24L * 27 + 2) * 432 * 4; // 4 x the cells: a dense network on a fine grid
        int n = AdaptiveDefaults.replay(TimeStep.HOURLY, 4, hourly);
        assertEquals(256L * 1024 * 1024 / (4 * hourly), n);
        assertTrue((long) n * hourly * 4 <= 256L * 1024 * 1024);
        assertEquals(16, AdaptiveDefaults.replay(TimeStep.HOURLY, 16, 1L << 30), "never fewer than the mini-batch");
    }

    @Test
    void theClimatologyChannelsCoverAMonthAndAYearOfSteps() {
        assertEquals(30, AdaptiveDefaults.climateShortSteps(TimeStep.DAILY), "daily: exactly the old fixed 30");
        assertEquals(365, AdaptiveDefaults.climateLongSteps(TimeStep.DAILY), "daily: exactly the old fixed 365");
        assertEquals(720, AdaptiveDefaults.climateShortSteps(TimeStep.HOURLY));
        assertEquals(8760, AdaptiveDefaults.climateLongSteps(TimeStep.HOURLY));
        assertEquals(4320, AdaptiveDefaults.climateShortSteps(TEN_MIN));
        assertEquals(52_560, AdaptiveDefaults.climateLongSteps(TEN_MIN));
        assertEquals(3, AdaptiveDefaults.climateShortSteps(TimeStep.MONTHLY), "monthly: one month, at least 3");
        assertEquals(12, AdaptiveDefaults.climateLongSteps(TimeStep.MONTHLY), "monthly: a year");
        assertEquals(4, AdaptiveDefaults.climateShortSteps(TimeStep.parse("7d")));
        assertEquals(52, AdaptiveDefaults.climateLongSteps(TimeStep.parse("7d")));
        assertEquals(15, AdaptiveDefaults.climateShortSteps(TimeStep.parse("2d")));
        assertEquals(12, AdaptiveDefaults.climateLongSteps(TimeStep.parse("366d")), "at least 12");
        // the step of the region's frames reaches its forecaster (the evaluation's inferred one, not the configured)
        RegionLearner learner = RegionLearner.convLstm(settings("1d", 2, 8, 5), new JavaBackend());
        for (TimeStep step : List.of(TimeStep.DAILY, TimeStep.MONTHLY, TimeStep.HOURLY)) {
            RegionState s = learner.create(GRID, FEATURES, step);
            ConvLstmRainForecaster.Settings f = ((ConvLstmRainForecaster) s.forecaster()).settings();
            assertEquals(AdaptiveDefaults.climateShortSteps(step), f.climateShortSteps(), step.label());
            assertEquals(AdaptiveDefaults.climateLongSteps(step), f.climateLongSteps(), step.label());
            assertEquals(f.climateShortSteps(), s.chosen.climateShortSteps());
            assertTrue(s.chosen.describe().contains("climatology channels " + f.climateShortSteps() + " and "
                    + f.climateLongSteps() + " steps"), s.chosen.describe());
        }
    }

    @Test
    void onMonthlyStepsTheShortClimatologyFollowsAWetSeasonWithinMonths() {
        // 24 dry months, then 3 months of 10 mm at every cell: the monthly channel (time constant 3) has moved most
        // of the way, the daily constants (30) would still read the dry spell
        RegionLearner learner = RegionLearner.convLstm(settings("monthly", 2, 8, 5), new JavaBackend());
        float[][] climate = new float[2][];
        int i = 0;
        for (TimeStep step : List.of(TimeStep.MONTHLY, TimeStep.DAILY)) {
            RegionState s = learner.create(GRID, FEATURES, step);
            for (int t = 0; t < 27; t++) {
                float[] rain = new float[4];
                java.util.Arrays.fill(rain, t < 24 ? 0f : 10f);
                Frame f = frame(t, rain);
                learner.observe(s, f, stations(f));
            }
            climate[i++] = ((ConvLstmRainForecaster) s.forecaster()).climate();
        }
        // 25 targets learned (from frame T = 2 on), in units of the scale (5 mm): 22 zeros, then three of 2;
        // after 3 steps of tau 3: 2 (1 - (2/3)^3) = 1.41
        assertEquals(2 * (1 - Math.pow(2.0 / 3, 3)), climate[0][0], 1e-5, "monthly short channel");
        assertEquals(2 * (1 - Math.pow(11.0 / 12, 3)), climate[0][4], 1e-5, "monthly long channel");
        assertEquals(3 * 2 / 25.0, climate[1][0], 1e-5, "daily constants: still the running mean of 25 (tau 30)");
        assertEquals(25, climate[0][8]);
    }

    /** Station rain of one step for {@code stations} stations, wet with probability {@code wet}, exponential amounts. */
    static float[] step(SplittableRandom rng, int stations, double wet, double meanWetMm) {
        float[] r = new float[stations];
        for (int i = 0; i < stations; i++) {
            r[i] = rng.nextDouble() < wet ? (float) (0.2 - meanWetMm * Math.log(1 - rng.nextDouble())) : 0f;
        }
        return r;
    }

    static AdaptiveDefaults.RainSample sampleUntilReady(SplittableRandom rng, int stations, double wet, double mean) {
        AdaptiveDefaults.RainSample s = new AdaptiveDefaults.RainSample();
        while (!s.ready()) {
            s.add(step(rng, stations, wet, mean));
        }
        return s;
    }

    @Test
    void aDenseWetNetworkFreezesItsScaleInTheFirstFrameAndADrySparseOneWaits() {
        AdaptiveDefaults.RainSample dense = sampleUntilReady(new SplittableRandom(1), 300, 0.5, 8);
        assertEquals(1, dense.frames(), "300 stations, half of them wet: 50 wet readings in the first frame");
        AdaptiveDefaults.RainSample sparse = sampleUntilReady(new SplittableRandom(2), 12, 0.05, 4);
        assertTrue(sparse.frames() > 30, "12 stations, 5% wet: " + sparse.frames() + " frames");
        assertTrue(sparse.wetAmounts().length >= 50);
        // a region where it almost never rains: after 500 frames the few wet readings set the scale
        AdaptiveDefaults.RainSample desert = new AdaptiveDefaults.RainSample();
        desert.add(new float[] {0, 30, 0});
        for (int i = 1; i < 499; i++) {
            desert.add(new float[] {0, 0, Float.NaN});
            assertFalse(desert.ready());
        }
        desert.add(new float[] {0, 0, 0});
        assertTrue(desert.ready());
        assertEquals(Math.sqrt(900.0 / (desert.dry() + 1)), desert.scale(), 1e-9);
        AdaptiveDefaults.RainSample none = new AdaptiveDefaults.RainSample();
        for (int i = 0; i < 1000; i++) {
            none.add(new float[] {0, 0});
        }
        assertFalse(none.ready(), "no rain at all: no units to choose yet");
        assertTrue(Double.isNaN(none.scale()));
    }

    @Test
    void theScaleFollowsTheClimateAndTheStepAndIgnoresOneExtremeReading() {
        // the rms of the rain, dry readings included: about sqrt(wet fraction x E[x^2 | wet])
        double wet = sampleUntilReady(new SplittableRandom(3), 50, 0.6, 10).scale();
        double dry = sampleUntilReady(new SplittableRandom(4), 50, 0.05, 10).scale();
        double hourly = sampleUntilReady(new SplittableRandom(5), 50, 0.1, 0.8).scale();
        double monthly = sampleUntilReady(new SplittableRandom(6), 50, 0.95, 80).scale();
        assertTrue(wet > 6 && wet < 18, "wet daily climate " + wet);
        assertTrue(dry < wet / 2, "dry daily climate " + dry + " against wet " + wet);
        assertTrue(hourly < 1, "hourly " + hourly);
        assertTrue(monthly > 50 && monthly < 180, "monthly " + monthly);
        // one extreme reading among 50 wet ones moves the scale little: it is clipped at 10 x the median
        float[] wetAmounts = new float[50];
        java.util.Arrays.fill(wetAmounts, 5f);
        double plain = AdaptiveDefaults.rainScale(50, wetAmounts);
        assertEquals(Math.sqrt(25 * 50 / 100.0), plain, 1e-9);
        wetAmounts[7] = 900f;
        double withExtreme = AdaptiveDefaults.rainScale(50, wetAmounts);
        assertEquals(Math.sqrt((25 * 49 + 50 * 50) / 100.0), withExtreme, 1e-6, "900 mm counts as 50 mm");
        // the bounds
        assertEquals(0.1, AdaptiveDefaults.rainScale(10_000, new float[] {0.1f}), 1e-12);
        assertEquals(1000, AdaptiveDefaults.rainScale(0, new float[] {5000f}), 1e-12);
    }

    static final Grid GRID = new Grid(2, 2, 0, 0, 1, 1);
    static final List<String> FEATURES = List.of("rain_mm");

    static RegionSettings settings(String step, int window, int replay, double rainScale) {
        return new RegionSettings(step, window, 1, "sgd", 0.01, 0.9, 1, 0.01, 500, 0, new int[] {2}, new int[] {3}, 2,
                replay, 1, rainScale, 3L, "java");
    }

    static Frame frame(long step, float[] rain) {
        float[] ones = {1, 1, 1, 1};
        float[] values = new float[4];
        for (int k = 0; k < 4; k++) {
            values[k] = rain[k] / 5;
        }
        return new Frame(GRID, step, FEATURES, values, ones.clone(), ones.clone(), rain.clone(), ones.clone());
    }

    static StationRain stations(Frame f) {
        return new StationRain(new String[] {"a", "b", "c", "d"}, new double[] {0, 0, 1, 1}, new double[] {0, 1, 0, 1},
                f.rainMm().clone());
    }

    @Test
    void explicitValuesWinOverTheRules() {
        RegionLearner set = RegionLearner.convLstm(settings("1h", 5, 7, 2.5), new JavaBackend());
        AdaptiveDefaults.Chosen c = set.chosen(TimeStep.HOURLY, GRID, FEATURES);
        assertEquals(5, c.window());
        assertFalse(c.windowAuto());
        assertEquals(7, c.replay());
        assertFalse(c.replayAuto());
        assertEquals(2.5, c.rainScale());
        assertFalse(c.rainScaleAuto());
        RegionState s = set.create(GRID, FEATURES, TimeStep.HOURLY);
        assertEquals(5, s.window);
        assertEquals(2.5, s.convLstmState().rainScale(), "set at once");
        assertNull(s.rainSample);
        RegionLearner.Step first = set.observe(s, frame(0, new float[] {0, 0, 0, 0}), stations(frame(0, new float[4])));
        assertNotNull(first.chosen(), "reported on the first frame");

        RegionLearner auto = RegionLearner.convLstm(settings("1h", 0, 0, 0), new JavaBackend());
        AdaptiveDefaults.Chosen a = auto.chosen(TimeStep.HOURLY, GRID, FEATURES);
        assertEquals(24, a.window());
        assertTrue(a.windowAuto() && a.replayAuto() && a.rainScaleAuto());
        assertEquals(4096, a.replay(), "a year of hours, bounded");
        assertTrue(Double.isNaN(a.rainScale()));
        // the step the region's frames have decides, not the configured one (eval rainfall infers it)
        assertEquals(3, auto.chosen(TimeStep.MONTHLY, GRID, FEATURES).window());
        assertEquals(64, auto.chosen(TimeStep.MONTHLY, GRID, FEATURES).replay());
        assertThrows(IllegalArgumentException.class, () -> settings("1d", -1, 0, 0));
    }

    @Test
    void theLearnerFreezesTheScaleFromTheStreamAndOnlyThenTheConvLstmLearns() {
        RegionLearner auto = RegionLearner.convLstm(settings("1d", 2, 8, 0), new JavaBackend());
        RegionState s = auto.create(GRID, FEATURES, TimeStep.DAILY);
        assertNotNull(s.rainSample);
        SplittableRandom rng = new SplittableRandom(7);
        int frozenAt = -1;
        for (int t = 0; t < 40; t++) {
            float[] rain = step(rng, 4, 0.5, 5);
            Frame f = frame(t, rain);
            RegionLearner.Step step = auto.observe(s, f, stations(f));
            if (step.chosen() != null) {
                assertEquals(-1, frozenAt, "reported once");
                frozenAt = t;
                assertTrue(step.chosen().rainScale() > 0);
                assertEquals(s.convLstmState().rainScale(), step.chosen().rainScale());
            }
            if (frozenAt < 0) {
                assertEquals(0, s.version(), "no optimizer step before the scale is chosen (frame " + t + ")");
                assertTrue(Double.isNaN(s.convLstmState().rainScale()));
            }
        }
        assertTrue(frozenAt > 5, "4 stations, half wet: 50 wet readings take ~25 frames, got " + frozenAt);
        assertNull(s.rainSample);
        assertTrue(s.version() > 0, "learns once frozen");
        assertThrows(IllegalStateException.class, () -> s.convLstmState().setRainScale(1.0), "frozen");
    }
}
