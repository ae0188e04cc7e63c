package dev.tandem.models.decision;

import dev.tandem.learning.backend.JavaBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionStageTest {
    static final int K = 10;

    /**
     * Softmax vectors of a well-trained, calibrated classifier: logits = margin on the true class + Gaussian noise,
     * and the label drawn FROM p (so P(y | p) = p: calibrated by construction, and argmax p is the Bayes decision).
     */
    static float[][] calibrated(int n, double margin, long seed, int[] labels) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] out = new float[n][K];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(K);
            double[] z = new double[K];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < K; k++) {
                z[k] = (k == c ? margin : 0) + rng.nextGaussian();
                max = Math.max(max, z[k]);
            }
            double sum = 0;
            for (int k = 0; k < K; k++) {
                z[k] = Math.exp(z[k] - max);
                sum += z[k];
            }
            for (int k = 0; k < K; k++) {
                out[i][k] = (float) (z[k] / sum);
            }
            double u = rng.nextDouble();
            double acc = 0;
            labels[i] = K - 1;
            for (int k = 0; k < K; k++) {
                acc += z[k] / sum;
                if (u < acc) {
                    labels[i] = k;
                    break;
                }
            }
        }
        return out;
    }

    static int argmax(float[] p) {
        int b = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[b]) {
                b = k;
            }
        }
        return b;
    }

    static DecisionStage stage(String algorithm) {
        return DecisionStage.create(DecisionSettings.defaults(algorithm), K, new JavaBackend());
    }

    @ParameterizedTest
    @ValueSource(strings = {"svm", "mlp"})
    void agreesWithArgmaxOfAFullyTrainedCalibratedNetwork(String algorithm) {
        int[] y = new int[3000];
        float[][] train = calibrated(3000, 6, 1, y);
        DecisionStage s = stage(algorithm);
        for (int i = 0; i < train.length; i++) {
            s.learn(train[i], y[i]);
        }
        s.trainNow();
        int[] unused = new int[2000];
        float[][] test = calibrated(2000, 6, 2, unused);
        int agree = 0;
        for (float[] p : test) {
            agree += s.decide(p) == argmax(p) ? 1 : 0;
        }
        assertTrue(agree >= 0.99 * test.length, algorithm + " agrees with argmax on " + agree + " of 2000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"svm", "mlp"})
    void decidingDoesNotLearnAndLearningComesAfterTheDecision(String algorithm) throws IOException {
        int[] y = new int[400];
        float[][] p = calibrated(400, 3, 3, y);
        DecisionStage s = stage(algorithm);
        assertFalse(s.ready());
        assertEquals(-1, s.decide(p[0]), "an untrained stage does not decide");
        for (int i = 0; i < p.length; i++) {
            byte[] before = bytes(s);
            int d = s.decide(p[i]);
            assertArrayEquals(before, bytes(s), "deciding window " + i + " changed no state");
            DecisionStage copy = read(before);
            assertEquals(d, copy.decide(p[i]), "the decision is the state's before learning");
            s.learn(p[i], y[i]);
        }
        assertTrue(s.ready());
        assertTrue(s.version() > 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"svm", "mlp"})
    void stateRoundTripDecidesAndContinuesExactlyAsTheOriginal(String algorithm) throws IOException {
        int[] y = new int[1200];
        float[][] p = calibrated(1200, 2, 4, y);
        DecisionStage a = stage(algorithm);
        for (int i = 0; i < 700; i++) {
            a.learn(p[i], y[i]);
        }
        DecisionStage b = read(bytes(a));
        assertEquals(a.algorithm(), b.algorithm());
        assertEquals(a.version(), b.version());
        assertEquals(a.reservoir().size(), b.reservoir().size());
        assertEquals(a.reservoir().seen(), b.reservoir().seen());
        for (int i = 700; i < 1200; i++) {
            assertEquals(a.decide(p[i]), b.decide(p[i]), "decision " + i);
            a.learn(p[i], y[i]);
            b.learn(p[i], y[i]);
            assertEquals(a.version(), b.version());
        }
        assertArrayEquals(bytes(a), bytes(b), "identical state after the same further pairs");
        if (a instanceof SvmDecision svm) {
            assertTrue(svm.supportVectors() > 0);
            assertEquals(svm.supportVectors(), ((SvmDecision) b).supportVectors());
        }
    }

    @Test
    void theSvmTrainsOnItsScheduleAndIsDeterministic() throws IOException {
        int[] y = new int[1200];
        float[][] p = calibrated(1200, 2, 5, y);
        DecisionStage a = stage("svm");
        DecisionStage b = stage("svm");
        long[] versions = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            a.learn(p[i], y[i]);
            b.learn(p[i], y[i]);
            versions[i] = a.version();
        }
        // trainings after 16, 32, 64, 128, 256, 512 pairs, then every 500: at 1012
        assertEquals(0, versions[14]);
        assertEquals(1, versions[15]);
        assertEquals(2, versions[31]);
        assertEquals(6, versions[511]);
        assertEquals(6, versions[1010]);
        assertEquals(7, versions[1011]);
        assertArrayEquals(bytes(a), bytes(b), "same pairs, same seed: same model");
    }

    @Test
    void theReservoirIsBoundedSeededAndFollowsTheStream() {
        PairReservoir a = new PairReservoir(100, 2, 7);
        PairReservoir b = new PairReservoir(100, 2, 7);
        for (int i = 0; i < 5000; i++) {
            float[] f = {i, -i};
            a.add(f, i % 3);
            b.add(f, i % 3);
        }
        assertEquals(100, a.size());
        assertEquals(5000, a.seen());
        int recent = 0;
        float[] f = new float[2];
        for (int i = 0; i < 100; i++) {
            a.features(i, f, 0);
            float[] g = new float[2];
            b.features(i, g, 0);
            assertArrayEquals(f, g, "seeded: same replacements");
            recent += f[0] >= 4500 ? 1 : 0;
        }
        // each new pair replaces a random one: a kept pair survives 500 more with probability (0.99)^500 < 0.7%
        assertTrue(recent >= 95, recent + " of 100 kept pairs are among the last 500");
    }

    @Test
    void settingsErrorsNameTheKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> DecisionSettings.defaults("tree"));
        assertTrue(e.getMessage().contains("gearbox.decision.algorithm") && e.getMessage().contains("none, svm, mlp"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DecisionSettings("svm", 1, "probabilities", 1, 10, 0,
                500, 32, 0.01, 32, 4));
        assertTrue(e.getMessage().contains("gearbox.decision.reservoir"), e.getMessage());
        assertThrows(IOException.class, () -> read(new byte[] {0, 0, 0, 9}));
    }

    static byte[] bytes(DecisionStage s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.write(new DataOutputStream(out));
        return out.toByteArray();
    }

    static DecisionStage read(byte[] b) throws IOException {
        return DecisionStage.read(new DataInputStream(new ByteArrayInputStream(b)), new JavaBackend());
    }
}
