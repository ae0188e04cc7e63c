package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RecursiveRidgeTest {
    /** After every row, the recursive weights are the ridge solution of the normal equations of all rows so far. */
    @Test
    void equalsTheBatchRidgeSolutionAfterEveryRow() {
        int d = 12;
        double lambda = 1;
        SplittableRandom rng = new SplittableRandom(11);
        RecursiveRidge r = new RecursiveRidge(d, lambda);
        RidgeAccumulator batch = new RidgeAccumulator(d, lambda);
        double[] truth = new double[d];
        for (int i = 0; i < d; i++) {
            truth[i] = rng.nextGaussian();
        }
        for (int t = 0; t < 3000; t++) {
            double[] x = new double[d];
            for (int i = 0; i < d - 1; i++) {
                x[i] = rng.nextDouble() < 0.3 ? 0 : rng.nextGaussian() * (1 + i);
            }
            x[d - 1] = 1;
            double y = RidgeAccumulator.dot(truth, x) + 0.5 * rng.nextGaussian();
            r.add(x, y);
            batch.add(x, y);
            if (t < 20 || t % 500 == 0 || t == 2999) {
                assertArrayEquals(batch.solve(), r.weights(), 1e-8, "row " + t);
            }
        }
        assertEquals(3000, r.rows);
    }

    /** The gradient of the ridge objective ½Σ(y − w·x)² + ½λ|w|² is zero at the recursive weights (finite differences). */
    @Test
    void theRidgeObjectiveIsStationaryAtTheRecursiveWeights() {
        int d = 5;
        SplittableRandom rng = new SplittableRandom(2);
        double[][] xs = new double[200][d];
        double[] ys = new double[200];
        RecursiveRidge r = new RecursiveRidge(d, 0.5);
        for (int t = 0; t < xs.length; t++) {
            for (int i = 0; i < d; i++) {
                xs[t][i] = rng.nextGaussian();
            }
            ys[t] = 2 * xs[t][0] - xs[t][3] + rng.nextGaussian();
            r.add(xs[t], ys[t]);
        }
        double[] w = r.weights();
        double h = 1e-5;
        for (int i = 0; i < d; i++) {
            double[] up = w.clone();
            double[] down = w.clone();
            up[i] += h;
            down[i] -= h;
            double g = (objective(up, xs, ys, 0.5) - objective(down, xs, ys, 0.5)) / (2 * h);
            assertEquals(0, g, 1e-5, "d/dw" + i);
        }
    }

    private static double objective(double[] w, double[][] xs, double[] ys, double lambda) {
        double s = 0;
        for (int t = 0; t < xs.length; t++) {
            double e = ys[t] - RidgeAccumulator.dot(w, xs[t]);
            s += 0.5 * e * e;
        }
        return s + 0.5 * lambda * RidgeAccumulator.dot(w, w);
    }
}
