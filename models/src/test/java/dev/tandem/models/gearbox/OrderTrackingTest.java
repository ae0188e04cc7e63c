package dev.tandem.models.gearbox;

import dev.tandem.learning.backend.JavaBackend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Order tracking puts shaft-locked frequencies where the reference speed has them. */
class OrderTrackingTest {
    private static final double FS = 12_000;
    private static final int N = 2048;

    /** Two channels of orders 3 and 11.5 (times the shaft frequency) at the given speed. */
    private static float[] orders(double rpm, int length) {
        float[] x = new float[2 * length];
        double shaftHz = rpm / 60;
        for (int i = 0; i < length; i++) {
            x[i] = (float) Math.sin(2 * Math.PI * 3 * shaftHz * i / FS + 0.3);
            x[length + i] = (float) (0.5 * Math.cos(2 * Math.PI * 11.5 * shaftHz * i / FS));
        }
        return x;
    }

    private static double maxError(float[] a, float[] b, int channels, int length, int upTo) {
        double worst = 0;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < upTo; i++) {
                worst = Math.max(worst, Math.abs(a[c * length + i] - b[c * length + i]));
            }
        }
        return worst;
    }

    @Test
    void aWindowAtAnotherSpeedBecomesTheWindowAtTheReferenceSpeed() {
        for (double rpm : new double[] {1730, 1772, 1850, 1500}) {
            float[] resampled = OrderTracking.resample(orders(rpm, N), 2, N, rpm, 1797);
            float[] expected = orders(1797, N);
            // away from the ends (kernel support, and the mirrored tail of a slower recording) the match is close
            int valid = (int) Math.min(N - 8, Math.floor((N - 1 - OrderTracking.LOBES) * rpm / 1797));
            double err = 0;
            for (int c = 0; c < 2; c++) {
                for (int i = 8; i < valid; i++) {
                    err = Math.max(err, Math.abs(resampled[c * N + i] - expected[c * N + i]));
                }
            }
            assertTrue(err < 0.02, "rpm " + rpm + ": max error " + err);
            // without order tracking the two windows differ by far more: the speed moved the spectrum
            assertTrue(maxError(orders(rpm, N), expected, 2, N, valid) > 0.5, "the speeds differ visibly");
        }
    }

    @Test
    void theSameSpeedIsACopyAndAConstantStaysConstant() {
        float[] x = orders(1797, N);
        float[] same = OrderTracking.resample(x, 2, N, 1797, 1797);
        assertArrayEquals(x, same);
        assertNotEquals(System.identityHashCode(x), System.identityHashCode(same));
        float[] flat = new float[3 * 100];
        java.util.Arrays.fill(flat, 2.5f);
        for (double rpm : new double[] {900, 1700, 3000}) {
            float[] out = OrderTracking.resample(flat, 3, 100, rpm, 1797);
            for (float v : out) {
                assertEquals(2.5, v, 1e-5);
            }
        }
    }

    @Test
    void compressingLowPassesInsteadOfAliasing() {
        // a tone at 0.45 fs recorded at half the reference speed would land at 0.9 fs (aliased to 0.1 fs); the
        // widened kernel removes most of it
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) Math.sin(2 * Math.PI * 0.45 * i);
        }
        float[] out = OrderTracking.resample(x, 1, N, 900, 1800);
        double power = 0;
        for (int i = 16; i < N / 2 - 16; i++) {
            power += out[i] * out[i];
        }
        power /= N / 2 - 32;
        assertTrue(power < 0.01, "residual power " + power + " (a tone has 0.5)");
    }

    @Test
    void mirrorReflectsIntoTheWindow() {
        assertEquals(0, OrderTracking.mirror(0, 5));
        assertEquals(4, OrderTracking.mirror(4, 5));
        assertEquals(3, OrderTracking.mirror(5, 5));
        assertEquals(0, OrderTracking.mirror(8, 5));
        assertEquals(1, OrderTracking.mirror(9, 5));
        assertEquals(2, OrderTracking.mirror(-2, 5));
        assertEquals(0, OrderTracking.mirror(7, 1));
    }

    @Test
    void unusableSpeedsAreRefusedNamingThem() {
        float[] x = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderTracking.resample(x, 1, 8, Double.NaN, 1797));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OrderTracking.resample(x, 1, 8, 1797, -1));
        assertThrows(IllegalArgumentException.class, () -> OrderTracking.resample(x, 2, 8, 1797, 1797));
    }

    @Test
    void theLearnerTracksToTheFirstSpeedItSawAndLeavesWindowsWithoutOneAlone() {
        FleetSettings settings = new FleetSettings(List.of("a", "b"), 4, "adam", 1e-3, 0.9, 7, true, "java");
        assertTrue(!settings.orderTracking(), "off by default");
        FleetLearner tracking = new FleetLearner(settings.withOrderTracking(true), new JavaBackend(), new GearboxCnnFactory());
        FleetLearner plain = new FleetLearner(settings, new JavaBackend(), new GearboxCnnFactory());
        int length = 256;
        FleetState a = tracking.create(2, length);
        FleetState b = plain.create(2, length);
        FleetState c = tracking.create(2, length);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 12; i++) {
            float[] x = new float[2 * length];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) rng.nextGaussian();
            }
            String label = i % 2 == 0 ? "a" : "b";
            // without a speed both learners see the same input
            assertArrayEquals(tracking.observe(a, x, label).probabilities(), plain.observe(b, x, label).probabilities());
            // with speeds: the first becomes the reference; later ones are resampled to it
            tracking.observe(c, x, label, i == 0 ? 1797 : 1772);
        }
        assertEquals(a.hash(), b.hash(), "no speed, no order tracking");
        assertEquals(1797, c.referenceRpm);
        assertTrue(Double.isNaN(a.referenceRpm));
        assertNotEquals(a.hash(), c.hash(), "the resampled windows trained another model");
    }
}
