package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Station series, climatology and the per-station linear baseline on synthetic daily series. */
class BaselinesTest {
    private static final long DAY = TimeStep.DAY;
    private static final long T0 = WeatherCsv.parseTime("2021-01-01");

    @Test
    void seriesClimatologyAndLinearBaseline() {
        // station A: rain alternates 0, 4, 0, 4, ... ; x follows rain of the next day (x_t = rain_{t+1}), so the
        // linear model on (rain_t, x_t) predicts rain_{t+1} exactly. Station B: constant 1 mm, x missing.
        List<WeatherCsv.Reading> rs = new ArrayList<>();
        int days = 120;
        for (int t = 0; t < days; t++) {
            double rain = t % 2 == 0 ? 0 : 4;
            double next = (t + 1) % 2 == 0 ? 0 : 4;
            rs.add(new WeatherCsv.Reading(T0 + t * DAY, "A", -30, 150, new double[] {rain, next}));
            rs.add(new WeatherCsv.Reading(T0 + t * DAY + 3_600_000, "B", -31, 151, new double[] {1, Double.NaN}));
        }
        StationSeries s = StationSeries.of(rs, List.of("rain_mm", "x"), TimeStep.DAILY);
        assertEquals(List.of("A", "B"), s.stations());
        assertEquals(days, s.steps());
        assertEquals(4.0, s.rain(0, 1));
        assertTrue(Double.isNaN(s.value(1, 3, 1)));
        assertTrue(Double.isNaN(s.rain(0, -1)));
        assertEquals(1, s.month(0));
        assertEquals(2, s.month(31));

        Climatology c = Climatology.fit(s, 59); // January (31 days) and 28 days of February 2021
        assertEquals((15 * 4.0) / 31, c.forecast(0, 1), 1e-12); // odd days of January: 15 of them
        assertEquals((14 * 4.0) / 28, c.forecast(0, 2), 1e-12);
        assertEquals((29 * 4.0) / 59, c.forecast(0, 3), 1e-12); // March unseen: the station's mean
        assertEquals(1.0, c.forecast(1, 2), 1e-12);

        StationLinearBaseline lin = StationLinearBaseline.fit(s, 90, 2, 1, 1e-9);
        assertEquals(2 * 2 * 2 + 1, StationLinearBaseline.dimension(2, 2));
        for (int t = 90; t < days; t++) {
            assertEquals(s.rain(0, t), lin.forecast(0, t), 1e-4, "A at " + t);
            assertEquals(1.0, lin.forecast(1, t), 1e-4, "B at " + t);
        }
    }

    @Test
    void onlineLinearGridForecasterLearnsAGridRelation() {
        // one station alone in a 1 x 1 grid; tomorrow's rain is 2 x today's normalised temperature + 3
        Grid g = new Grid(1, 1, 0, 0, 1, 1);
        Rasterizer r = new Rasterizer(g, List.of("rain_mm", "t"), Rasterizer.Settings.DEFAULT);
        OnlineLinearGridForecaster m = new OnlineLinearGridForecaster(1, 1e-9, 1);
        java.util.Random rnd = new java.util.Random(5);
        Frame prev = null;
        double prevT = 0;
        float last = Float.NaN;
        double target = 0;
        for (int i = 0; i < 60; i++) {
            double t = rnd.nextGaussian();
            double rain = prev == null ? 0 : 2 * prevT + 3;
            Frame f = r.rasterize(i, List.of(new WeatherCsv.Reading(0, "S", 0, 0, new double[] {rain, t})));
            if (prev != null) {
                last = m.forecast(List.of(prev))[0];
                target = rain;
                m.learn(List.of(prev), f.rainMm(), f.rainMask());
            }
            prev = f;
            prevT = t; // untrained normaliser: identity
        }
        assertEquals(target, last, 1e-3);
        assertEquals(OnlineLinearGridForecaster.NAME, m.name());
    }
}
