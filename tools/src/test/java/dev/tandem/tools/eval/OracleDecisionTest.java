package dev.tandem.tools.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The oracle decision stage: it finds information argmax misses, and none where the vectors carry none. */
public class OracleDecisionTest {
    private static final int K = 3;

    /**
     * n softmax vectors of 3 classes. informative: class c gives a vector peaked at (c + 1) mod 3 — argmax is always
     * wrong, but the vector identifies the class; otherwise every vector is a random draw whatever the class.
     */
    private static float[] vectors(int n, int[] labels, boolean informative, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] p = new float[n * K];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(K);
            int peak = informative ? (labels[i] + 1) % K : rng.nextInt(K);
            double sum = 0;
            for (int j = 0; j < K; j++) {
                p[i * K + j] = (float) ((j == peak ? 5 : 1) * (0.8 + 0.4 * rng.nextDouble()));
                sum += p[i * K + j];
            }
            for (int j = 0; j < K; j++) {
                p[i * K + j] /= (float) sum;
            }
        }
        return p;
    }

    @Test
    void findsASystematicDistortionThatArgmaxMisses() {
        int[] labels = new int[300];
        float[] p = vectors(300, labels, true, 7);
        assertEquals(0.0, DecisionExperiment.accuracy(p, labels, K, null), "argmax is always wrong by construction");
        assertTrue(OracleDecision.of(p, labels, K) > 0.98, "the vectors identify the class");
    }

    @Test
    void staysNearChanceWhenTheVectorsCarryNothing() {
        int[] labels = new int[300];
        float[] p = vectors(300, labels, false, 8);
        double oracle = OracleDecision.of(p, labels, K);
        assertTrue(oracle < 0.5, "chance is 1/3; the best of 32 settings by cross-validation: " + oracle);
    }

    @Test
    void unlabelledPairsAreIgnoredAndTooFewGiveNaN() {
        int[] labels = new int[300];
        float[] p = vectors(300, labels, true, 9);
        for (int i = 0; i < 300; i += 2) {
            labels[i] = -1;
        }
        assertTrue(OracleDecision.of(p, labels, K) > 0.95);
        int[] few = {0, 1, -1, 2, 0, -1};
        assertTrue(Double.isNaN(OracleDecision.of(new float[6 * K], few, K)));
    }
}
