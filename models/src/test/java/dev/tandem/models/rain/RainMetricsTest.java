package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MSE, PRD, CSI, FAR, POD by hand; the ridge solver and the baselines on series with known answers. */
class RainMetricsTest {
    @Test
    void scoresByHand() {
        RainMetrics m = new RainMetrics(1);
        m.add(0, 0);     // correct negative
        m.add(2, 1.5);   // hit
        m.add(3, 0.5);   // miss
        m.add(0.5, 1);   // false alarm
        assertEquals(4, m.count());
        double sse = 0 + 0.25 + 6.25 + 0.25;
        assertEquals(sse / 4, m.mse(), 1e-12);
        assertEquals(100 * Math.sqrt(sse / (4 + 9 + 0.25)), m.prd(), 1e-12);
        assertEquals(1.0 / 3, m.csi(), 1e-12);
        assertEquals(0.5, m.far(), 1e-12);
        assertEquals(0.5, m.pod(), 1e-12);
        RainMetrics perfect = new RainMetrics(1);
        perfect.add(3, 3);
        perfect.add(0, 0);
        assertEquals(0, perfect.prd());
        assertTrue(Double.isNaN(new RainMetrics(1).mse()));
    }

    @Test
    void prdIsScaleInvariant() {
        RainMetrics a = new RainMetrics(1);
        RainMetrics b = new RainMetrics(1);
        double[][] pairs = {{1, 2}, {3, 1}, {0, 0.5}};
        for (double[] p : pairs) {
            a.add(p[0], p[1]);
            b.add(10 * p[0], 10 * p[1]);
        }
        assertEquals(a.prd(), b.prd(), 1e-9);
    }

    @Test
    void ridgeRecoversALinearFunction() {
        RidgeAccumulator acc = new RidgeAccumulator(3, 0);
        double[] w = {2, -1, 0.5};
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 50; i++) {
            double[] x = {rnd.nextGaussian(), rnd.nextGaussian(), 1};
            acc.add(x, RidgeAccumulator.dot(w, x));
        }
        double[] got = acc.solve();
        for (int i = 0; i < 3; i++) {
            assertEquals(w[i], got[i], 1e-9);
        }
        assertEquals(50, acc.rows());
    }
}
