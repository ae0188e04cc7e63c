package dev.tandem.models.rain;

/**
 * Least squares with a small ridge, from accumulated sufficient statistics: {@code A = Σ x xᵀ}, {@code b = Σ x y};
 * {@link #solve()} returns {@code w = (A + λ·I)⁻¹ b} (Cholesky, double precision). Rows may be added at any time
 * (online); solving does not change the statistics.
 */
public final class RidgeAccumulator {
    private final int d;
    private final double lambda;
    private final double[] a;
    private final double[] b;
    private long rows;

    public RidgeAccumulator(int dimension, double lambda) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("ridge lambda must be >= 0, got " + lambda);
        }
        this.d = dimension;
        this.lambda = lambda;
        a = new double[d * d];
        b = new double[d];
    }

    public int dimension() {
        return d;
    }

    public long rows() {
        return rows;
    }

    /** Adds one row x (length d) with target y (upper triangle of A only). */
    public void add(double[] x, double y) {
        for (int i = 0; i < d; i++) {
            double xi = x[i];
            if (xi == 0) {
                continue;
            }
            b[i] += xi * y;
            int row = i * d;
            for (int j = i; j < d; j++) {
                a[row + j] += xi * x[j];
            }
        }
        rows++;
    }

    /** The ridge solution; all zeros when no row was added. */
    public double[] solve() {
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[j * d + i] + (i == j ? lambda : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if (i == j) {
                    l[i * d + i] = Math.sqrt(Math.max(s, 1e-12));
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i * d + k] * y[k];
            }
            y[i] = s / l[i * d + i];
        }
        double[] w = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < d; k++) {
                s -= l[k * d + i] * w[k];
            }
            w[i] = s / l[i * d + i];
        }
        return w;
    }

    public static double dot(double[] w, double[] x) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i] * x[i];
        }
        return s;
    }
}
