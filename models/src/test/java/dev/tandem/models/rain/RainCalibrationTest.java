package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RainCalibrationTest {
    @Test
    void startsAtClimatologyAndConvergesToTheObservedFrequencyOfItsBin() {
        RainCalibration c = new RainCalibration(1.0);
        float[] climate = {0.4f, 0.4f};
        float[] p0 = c.probability(new float[] {0, 3}, climate);
        assertEquals(0.4, p0[0], 1e-6, "no data: the climatological frequency");
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            // a forecast of 3 mm rains (>= 1 mm) 80 % of the time, a forecast of 0 mm 10 %
            float[] rain = {rng.nextDouble() < 0.1 ? 2 : 0, rng.nextDouble() < 0.8 ? 2 : 0};
            c.observe(new float[] {0, 3}, climate, rain, new float[] {1, 1});
        }
        float[] p = c.probability(new float[] {0, 3}, climate);
        assertEquals(0.1, p[0], 0.01);
        assertEquals(0.8, p[1], 0.01);
        assertTrue(c.probability(new float[] {0}, new float[] {0.9f})[0] > 0.85, "another climate bin: still its prior");
    }

    @Test
    void cellClimatologyFallsBackFromMonthToCellToRegion() {
        CellClimatology c = new CellClimatology(2, 1.0);
        for (int i = 0; i < 3; i++) {
            c.observe(1, new float[] {4, 0}, new float[] {1, 0});
        }
        c.observe(2, new float[] {0, 0}, new float[] {1, 0});
        assertEquals(4, c.mean(1)[0], 1e-6, "January at cell 0: three observations");
        assertEquals(3, c.mean(2)[0], 1e-6, "February has one: the cell's all-month mean");
        assertEquals(3, c.mean(1)[1], 1e-6, "cell 1 never observed: the region's mean");
        assertEquals((3 + 0.7) / 4, c.wetFrequency(1)[0], 1e-6, "three of three wet, region prior (3 + .5) / 5");
    }
}
