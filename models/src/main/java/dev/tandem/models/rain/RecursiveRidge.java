package dev.tandem.models.rain;

/**
 * Ridge regression learned one row at a time by recursive least squares: it keeps {@code P = (λI + Σ x xᵀ)⁻¹} and
 * {@code w = P Σ x y}, so after every row w is the ridge solution of all rows so far (the same as re-solving
 * {@link RidgeAccumulator}'s normal equations, up to rounding) at O(d²) per row instead of O(d³) per solve:
 * {@code k = P x / (1 + xᵀ P x)}, {@code w ← w + k (y − wᵀ x)}, {@code P ← P − k (P x)ᵀ}.
 */
public final class RecursiveRidge {
    final int d;
    final double[] p;
    final double[] w;
    long rows;

    public RecursiveRidge(int dimension, double lambda) {
        if (dimension < 1 || !(lambda > 0)) {
            throw new IllegalArgumentException("recursive ridge needs dimension >= 1 and lambda > 0, got " + dimension
                    + ", " + lambda);
        }
        d = dimension;
        p = new double[d * d];
        w = new double[d];
        for (int i = 0; i < d; i++) {
            p[i * d + i] = 1 / lambda;
        }
    }

    static RecursiveRidge restored(int dimension, double[] p, double[] w, long rows) {
        RecursiveRidge r = new RecursiveRidge(dimension, 1);
        System.arraycopy(p, 0, r.p, 0, r.p.length);
        System.arraycopy(w, 0, r.w, 0, r.w.length);
        r.rows = rows;
        return r;
    }

    public int dimension() {
        return d;
    }

    public double[] weights() {
        return w.clone();
    }

    public double predict(double[] x) {
        return RidgeAccumulator.dot(w, x);
    }

    public void add(double[] x, double y) {
        double[] px = new double[d];
        double xpx = 0;
        for (int i = 0; i < d; i++) {
            double s = 0;
            int row = i * d;
            for (int j = 0; j < d; j++) {
                s += p[row + j] * x[j];
            }
            px[i] = s;
            xpx += x[i] * s;
        }
        double denom = 1 + xpx;
        double err = y - predict(x);
        for (int i = 0; i < d; i++) {
            double ki = px[i] / denom;
            w[i] += ki * err;
            int row = i * d;
            for (int j = 0; j < d; j++) {
                p[row + j] -= ki * px[j]; // P symmetric: (xᵀ P)_j = (P x)_j
            }
        }
        rows++;
    }
}
