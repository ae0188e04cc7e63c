package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaHedgeTest {
    @Test
    void followsTheLeaderWhileThereIsNoGapThenSharesOneOverTPlusTwo() {
        AdaHedge a = new AdaHedge(4);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, a.weights(), 1e-15);
        a.update(new double[] {1, 1, 1, 1}); // no gap: all lead
        assertEquals(0, a.gap(), 0);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, a.weights(), 1e-15);
        a.update(new double[] {2, 0, 2, 2}); // hedge loss 1.5, mix loss 0 (eta = inf): gap 1.5, expert 1 leads
        assertEquals(1.5, a.gap(), 1e-12);
        assertEquals(Math.log(4) / 1.5, a.eta(), 1e-12);
        // then the share of alpha = 1/3 (the second round): (1 - 1/3) (0, 1, 0, 0) + 1/12
        assertArrayEquals(new double[] {1 / 12.0, 2 / 3.0 + 1 / 12.0, 1 / 12.0, 1 / 12.0}, a.weights(), 1e-12);
    }

    @Test
    void theGapIsTheHedgeLossMinusTheMixLossOfTheWeightsBeforeTheRound() {
        double[] lw = {Math.log(0.2), Math.log(0.5), Math.log(0.3)};
        AdaHedge a = AdaHedge.restored(lw, 0.8, 10);
        double[] w = a.weights();
        assertArrayEquals(new double[] {0.2, 0.5, 0.3}, w, 1e-12);
        double eta = a.eta();
        double[] loss = {0.5, 2.5, 1.0};
        double hedge = 0;
        double mix = 0;
        double[] post = new double[3];
        for (int i = 0; i < 3; i++) {
            hedge += w[i] * loss[i];
            mix += w[i] * Math.exp(-eta * loss[i]);
            post[i] = w[i] * Math.exp(-eta * loss[i]);
        }
        a.update(loss);
        assertEquals(0.8 + hedge + Math.log(mix) / eta, a.gap(), 1e-12);
        double alpha = 1.0 / 12;
        for (int i = 0; i < 3; i++) {
            assertEquals((1 - alpha) * post[i] / mix + alpha / 3, a.weights()[i], 1e-12);
        }
    }

    /** The AdaHedge bound 2 S √(T ln K) + S (8/3 ln K + 4) to the best expert, for losses in [0, S] of any scale. */
    @Test
    void regretToTheBestExpertStaysWithinTheBoundAtAnyLossScale() {
        for (double scale : new double[] {1e-3, 1, 1e4}) {
            SplittableRandom rng = new SplittableRandom(7);
            int k = 4;
            int t = 5000;
            AdaHedge a = new AdaHedge(k);
            double hedgeLoss = 0;
            double[] cum = new double[k];
            for (int s = 0; s < t; s++) {
                double[] loss = new double[k];
                for (int i = 0; i < k; i++) {
                    loss[i] = scale * Math.min(1, Math.max(0, 0.5 + (i == 2 ? -0.1 : 0) + 0.3 * rng.nextGaussian()));
                    cum[i] += loss[i];
                }
                double[] w = a.weights();
                for (int i = 0; i < k; i++) {
                    hedgeLoss += w[i] * loss[i];
                }
                a.update(loss);
            }
            double best = Math.min(Math.min(cum[0], cum[1]), Math.min(cum[2], cum[3]));
            double regret = hedgeLoss - best;
            double bound = 2 * scale * Math.sqrt(t * Math.log(k)) + scale * (8.0 / 3 * Math.log(k) + 4);
            assertTrue(regret <= bound, "regret " + regret + " > bound " + bound + " at scale " + scale);
            assertTrue(regret <= 0.02 * best, "regret " + regret + " vs best " + best);
            assertTrue(a.weights()[2] > 0.9, "the best expert dominates: " + a.weights()[2]);
        }
    }

    /** An expert that becomes the best late (a network that first had to learn) takes the weight over. */
    @Test
    void anExpertThatBecomesBestLateTakesTheWeightOver() {
        SplittableRandom rng = new SplittableRandom(3);
        AdaHedge a = new AdaHedge(2);
        double late = 0;
        double[] lateCum = new double[2];
        for (int s = 0; s < 4000; s++) {
            boolean second = s >= 2000;
            double[] loss = {0.5 + 0.1 * rng.nextGaussian(), (second ? 0.3 : 1.5) + 0.1 * rng.nextGaussian()};
            double[] w = a.weights();
            if (s >= 3000) {
                late += w[0] * loss[0] + w[1] * loss[1];
                lateCum[0] += loss[0];
                lateCum[1] += loss[1];
            }
            a.update(loss);
        }
        assertTrue(a.weights()[1] > 0.99, "weights " + java.util.Arrays.toString(a.weights()));
        assertTrue(late <= 1.01 * lateCum[1], "over the last 1000 rounds: " + late + " vs " + lateCum[1]);
    }

    @Test
    void aNonFiniteRoundIsSkipped() {
        AdaHedge a = new AdaHedge(2);
        a.update(new double[] {1, 2});
        double[] before = a.logWeights();
        a.update(new double[] {Double.NaN, 0});
        assertArrayEquals(before, a.logWeights(), 0);
        assertEquals(1, a.rounds());
    }
}
