package dev.tandem.learning.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both implementations of {@link FloatReductions} against exact double sums, over lengths that leave every kind of
 * tail (shorter than a vector, than a run, odd offsets), values with a large offset against their spread, and
 * every non-finite value at every position class.
 */
class FloatReductionsTest {
    private static final int[] LENGTHS = {0, 1, 3, 7, 15, 16, 17, 31, 64, 255, 256, 257, 1000, 2048, 4099};

    @Test
    void theTestJvmRunsTheVectorImplementation() {
        // surefire's argLine adds jdk.incubator.vector (the parent pom), as the tandem script and the images do
        assertTrue(FloatReductions.vectorised(), FloatReductions.implementation());
        assertTrue(FloatReductions.implementation().startsWith("vector-api "), FloatReductions.implementation());
    }

    @Test
    void sumsMatchExactDoubleSums() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int n : LENGTHS) {
            for (int offset : new int[] {0, 5}) {
                float[] x = values(rng, offset + n + 3, 1000f, 0.5f);
                double exact = 0;
                double magnitude = 0;
                double exactDev = 0;
                float m = 1000.25f;
                for (int i = offset; i < offset + n; i++) {
                    exact += x[i];
                    magnitude += Math.abs(x[i]);
                    exactDev += ((double) x[i] - m) * ((double) x[i] - m);
                }
                // float runs of at most 256 values: at worst one float rounding (2⁻²⁴) of the magnitude per addition
                int run = Math.min(n, FloatReductions.RUN);
                double tol = run * 6e-8 * magnitude + 1e-12;
                assertEquals(exact, ScalarFloatReductions.sum(x, offset, offset + n), tol, "scalar sum n=" + n);
                assertEquals(exact, VectorFloatReductions.sum(x, offset, offset + n), tol, "vector sum n=" + n);
                double devTol = (run + 1) * 6e-8 * exactDev + 1e-12; // x − m is exact here (Sterbenz)
                assertEquals(exactDev, ScalarFloatReductions.squaredDeviations(x, offset, offset + n, m), devTol,
                        "scalar squared deviations n=" + n);
                assertEquals(exactDev, VectorFloatReductions.squaredDeviations(x, offset, offset + n, m), devTol,
                        "vector squared deviations n=" + n);
            }
        }
    }

    @Test
    void sumAndDotAddIntoTheirTotals() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int n : LENGTHS) {
            float[] a = values(rng, n + 2, 0f, 1f);
            float[] b = values(rng, n + 2, 0f, 1f);
            double sa = 0;
            double sp = 0;
            for (int i = 1; i < n + 1; i++) {
                sa += a[i];
                sp += (double) a[i] * b[i];
            }
            double[] scalar = {10, -3};
            double[] vector = {10, -3};
            ScalarFloatReductions.sumAndDot(a, b, 1, n + 1, scalar);
            VectorFloatReductions.sumAndDot(a, b, 1, n + 1, vector);
            double tol = 1e-5 * Math.sqrt(n + 1);
            assertEquals(10 + sa, scalar[0], tol, "scalar Σa n=" + n);
            assertEquals(-3 + sp, scalar[1], tol, "scalar Σab n=" + n);
            assertEquals(10 + sa, vector[0], tol, "vector Σa n=" + n);
            assertEquals(-3 + sp, vector[1], tol, "vector Σab n=" + n);
        }
    }

    @Test
    void allFiniteFindsEveryNonFiniteValueAnywhere() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001),
                Float.intBitsToFloat(0xff800001)};
        float[] fine = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 0f, -0f, Float.MIN_NORMAL};
        for (int n : new int[] {1, 15, 16, 17, 33, 100}) {
            float[] x = values(rng, n, 0f, 1f);
            for (int k = 0; k < fine.length; k++) {
                x[(k * 7) % n] = fine[k];
            }
            assertTrue(ScalarFloatReductions.allFinite(x, 0, n));
            assertTrue(VectorFloatReductions.allFinite(x, 0, n));
            for (float v : bad) {
                for (int at = 0; at < n; at++) {
                    float keep = x[at];
                    x[at] = v;
                    assertFalse(ScalarFloatReductions.allFinite(x, 0, n), "scalar: " + v + " at " + at + " of " + n);
                    assertFalse(VectorFloatReductions.allFinite(x, 0, n), "vector: " + v + " at " + at + " of " + n);
                    // outside the range it does not count
                    assertTrue(VectorFloatReductions.allFinite(x, at + 1, n), "vector after " + at);
                    assertTrue(ScalarFloatReductions.allFinite(x, at + 1, n), "scalar after " + at);
                    x[at] = keep;
                }
            }
        }
    }

    private static float[] values(SplittableRandom rng, int n, float offset, float spread) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = offset + (float) (rng.nextGaussian() * spread);
        }
        return x;
    }
}
