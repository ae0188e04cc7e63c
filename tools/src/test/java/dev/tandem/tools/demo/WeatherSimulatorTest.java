package dev.tandem.tools.demo;

import dev.tandem.operators.rain.WeatherReading;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeatherSimulatorTest {
    private static final int STEPS = 400;

    @Test
    void sameSeedSameWeatherOtherSeedOtherWeather() {
        WeatherSimulator a = WeatherSimulator.demo(7);
        WeatherSimulator b = WeatherSimulator.demo(7);
        WeatherSimulator c = WeatherSimulator.demo(8);
        boolean differs = false;
        for (int t = 0; t < 50; t++) {
            List<WeatherReading> ra = a.next(t * a.stepMs());
            List<WeatherReading> rb = b.next(t * b.stepMs());
            List<WeatherReading> rc = c.next(t * c.stepMs());
            assertEquals(ra, rb);
            differs |= !ra.equals(rc);
        }
        assertTrue(differs, "another seed must give other weather");
    }

    @Test
    void readingsArePlausibleAndRainIsIntermittent() {
        WeatherSimulator sim = WeatherSimulator.demo(1);
        int wet = 0;
        int all = 0;
        for (int t = 0; t < STEPS; t++) {
            for (WeatherReading r : sim.next(t * sim.stepMs())) {
                all++;
                assertTrue(r.rainMm >= 0 && r.rainMm < 200, "rain " + r.rainMm);
                assertTrue(r.humidityPct >= 0 && r.humidityPct <= 100, "humidity " + r.humidityPct);
                assertTrue(r.pressureHpa > 950 && r.pressureHpa < 1050, "pressure " + r.pressureHpa);
                assertTrue(r.lat >= -38 && r.lat <= -32 && r.lon >= 142 && r.lon <= 150);
                assertEquals(t * sim.stepMs(), r.time);
                if (r.rainMm > 0) {
                    wet++;
                }
            }
        }
        double wetFraction = wet / (double) all;
        assertTrue(wetFraction > 0.03 && wetFraction < 0.6, "wet fraction " + wetFraction);
        assertNotEquals(0, wet);
    }

    /** The generator is only useful for a forecaster if today's humidity says something about the next rain. */
    @Test
    void humidityLeadsRain() {
        WeatherSimulator sim = WeatherSimulator.demo(3);
        int n = sim.stations().size();
        double[][] hum = new double[STEPS][n];
        double[][] rain = new double[STEPS][n];
        for (int t = 0; t < STEPS; t++) {
            List<WeatherReading> rs = sim.next(t * sim.stepMs());
            for (int s = 0; s < n; s++) {
                hum[t][s] = rs.get(s).humidityPct;
                rain[t][s] = rs.get(s).rainMm;
            }
        }
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        int m = 0;
        for (int t = 0; t + 1 < STEPS; t++) {
            for (int s = 0; s < n; s++) {
                double x = hum[t][s];
                double y = rain[t + 1][s];
                sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
                m++;
            }
        }
        double cov = sxy / m - sx / m * sy / m;
        double corr = cov / Math.sqrt((sxx / m - sx * sx / m / m) * (syy / m - sy * sy / m / m));
        assertTrue(corr > 0.3, "corr(humidity_t, rain_t+1) = " + corr);
    }
}
