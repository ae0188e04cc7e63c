package dev.tandem.tools.eval;

import dev.tandem.models.rain.RainForecaster;
import dev.tandem.models.rain.RegionLearner;

import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.OnlineLinearGridForecaster;
import dev.tandem.models.rain.RainForecaster;
import dev.tandem.models.rain.Rasterizer;
import dev.tandem.models.rain.TimeStep;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The prequential rainfall harness on synthetic stations whose next-day rain is known. */
class RainfallEvaluationTest {
    static final String[] STATIONS = {"A", "B", "C", "D"};
    static final double[][] WHERE = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};

    static double rain(int s, int t) {
        return ((t * 7 + s * 3) % 5) * 1.5;
    }

    /** 4 stations on the corners of a 1° square, daily; feature "hint" is the next day's rain. Shuffled. */
    static WeatherCsv.Table synthetic(int days) {
        List<WeatherCsv.Reading> rs = new ArrayList<>();
        long t0 = WeatherCsv.parseTime("2020-03-01");
        for (int t = 0; t < days; t++) {
            for (int s = 0; s < 4; s++) {
                rs.add(new WeatherCsv.Reading(t0 + t * TimeStep.DAY, STATIONS[s], WHERE[s][0], WHERE[s][1],
                        new double[] {rain(s, t), rain(s, t + 1)}));
            }
        }
        Collections.shuffle(rs, new java.util.Random(1));
        return new WeatherCsv.Table(Path.of("synthetic"), List.of("rain_mm", "hint"), rs, 0, List.of(), List.of());
    }

    static RegionLearner learner(int window, RainForecaster.Factory factory) {
        return new RegionLearner(window, 1, 1, factory, TimeStep.DAILY, 1.0);
    }

    static RainfallEvaluation.Settings settings(int window, double lambda) {
        return new RainfallEvaluation.Settings(null, window, 1, null, 32, null, null, Rasterizer.Settings.DEFAULT, lambda, 1,
                0.2, 1);
    }

    @Test
    void baselinesAndModelOnAKnownSeries() {
        int days = 100;
        RainfallEvaluation.Result r = new RainfallEvaluation(settings(2, 1e-6),
                learner(2, (g, f, t, h, seed) -> new OnlineLinearGridForecaster(t, 1e-6, 1))).run(synthetic(days), null);
        assertEquals(TimeStep.DAILY, r.step());
        assertEquals(days, r.steps());
        assertEquals(80, r.scoredFrom());
        assertEquals(20, r.scoredSteps());
        assertEquals(4, r.stations());
        assertEquals(4, r.distinctCells());
        assertEquals(2, r.grid().rows());
        assertEquals(2, r.grid().cols());
        assertEquals(80, r.model().pairs());
        double sse = 0;
        for (int t = 80; t < days; t++) {
            for (int s = 0; s < 4; s++) {
                sse += Math.pow(rain(s, t) - rain(s, t - 1), 2);
            }
        }
        assertEquals(sse / 80, r.persistence().mse(), 1e-9);
        assertTrue(r.linear().mse() < 1e-6, "the hint makes the linear baseline exact: " + r.linear().mse());
        assertTrue(r.network().mse() < 1e-3, "the online linear grid model learns it too: " + r.network().mse());
        assertTrue(r.model().mse() < 0.05 * r.persistence().mse(), "and the combination follows it: " + r.model().mse());
        assertTrue(r.climatology().mse() > 0.5, "climatology cannot follow the series: " + r.climatology().mse());
        assertEquals(r.model().mse() / r.persistence().mse(), r.mseOverPersistence(), 1e-12);
    }

    /** Learns each target by heart and forecasts it when it has seen it: only leakage could make it score. */
    static final class Memoriser implements RainForecaster {
        final Map<Long, float[]> seen = new HashMap<>();
        int forecasts;
        int learned;

        @Override
        public String name() {
            return "memoriser";
        }

        @Override
        public float[] forecast(List<Frame> window) {
            forecasts++;
            float[] m = seen.get(window.get(window.size() - 1).step());
            return m != null ? m.clone() : new float[window.get(0).grid().cells()];
        }

        @Override
        public void learn(List<Frame> window, float[] target, float[] mask) {
            learned++;
            seen.put(window.get(window.size() - 1).step(), target.clone());
        }
    }

    @Test
    void everyForecastIsScoredBeforeItsTargetIsLearned() {
        Memoriser m = new Memoriser();
        RainfallEvaluation.Result r = new RainfallEvaluation(settings(3, 1),
                learner(3, (g, f, t, h, seed) -> m)).run(synthetic(60), null);
        double sse = 0;
        for (int t = 48; t < 60; t++) {
            for (int s = 0; s < 4; s++) {
                sse += rain(s, t) * rain(s, t);
            }
        }
        assertEquals(48, r.scoredFrom());
        assertEquals(sse / 48, r.network().mse(), 1e-9, "the memoriser forecast 0 everywhere: it never saw a target early");
        assertEquals(60 - 3 + 1, m.forecasts, "as in the stream, the last step issues a forecast too (never scored)");
        assertEquals(60 - 3, m.learned);
    }

    /** Forecasts 0 mm everywhere: a stand-in model so that only the baselines are exercised on the real data. */
    static final class Dry implements RainForecaster {
        @Override
        public String name() {
            return "dry";
        }

        @Override
        public float[] forecast(List<Frame> window) {
            return new float[window.get(0).grid().cells()];
        }

        @Override
        public void learn(List<Frame> window, float[] target, float[] mask) {
        }
    }

    @Test
    void onTheBomDataTheLinearBaselineBeatsPersistenceAndClimatology() throws Exception {
        java.util.Optional<Path> data = dev.tandem.models.data.SharedData.dataset("weather-aus");
        assumeTrue(data.isPresent(), dev.tandem.models.data.SharedData.absentMessage("weather-aus"));
        Path csv = Path.of(System.getProperty("java.io.tmpdir"), "tandem-weather-aus-" + ProcessHandle.current().pid() + ".csv.gz");
        try {
            dev.tandem.tools.convert.WeatherAusConversion.convert(data.get(), csv);
            WeatherCsv.Table table = WeatherCsv.read(csv);
            RainfallEvaluation.Result r = new RainfallEvaluation(settings(8, 1), learner(8, (g, f, t, h, seed) -> new Dry()))
                    .run(table, null);
            assertEquals(TimeStep.DAILY, r.step());
            assertEquals(49, r.stations());
            // the issue: the per-station linear model reaches about 0.58 of persistence and 0.85 of climatology
            double overPersistence = r.linear().mse() / r.persistence().mse();
            double overClimatology = r.linear().mse() / r.climatology().mse();
            assertTrue(overPersistence > 0.4 && overPersistence < 0.65, "linear / persistence " + overPersistence);
            assertTrue(overClimatology > 0.7 && overClimatology < 0.92, "linear / climatology " + overClimatology);
            assertTrue(r.persistence().pairs() > 50_000, "pairs " + r.persistence().pairs());
        } finally {
            java.nio.file.Files.deleteIfExists(csv);
        }
    }
}
