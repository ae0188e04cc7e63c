package dev.tandem.backend.nd4j;

/**
 * Batch normalisation over axis 1 of float [N, C, spatial...] on primitive arrays, for channels [from, to) only, so
 * that disjoint channel ranges can run in parallel. The arithmetic is the reference's ({@code JavaBatchNorm}) in
 * double — each result rounded to float once where the reference stores it — without its per-element virtual calls,
 * and with the sums reordered for speed: two accumulators per sum, and the training statistics in one pass of sums
 * of x − x₀ and (x − x₀)² (x₀ the channel's first value, which keeps the variance from cancelling; the reference
 * makes two passes). Results agree with the reference to double rounding before the final float rounding.
 */
final class FloatBatchNorm {
    private FloatBatchNorm() {
    }

    static void trainForward(float[] x, int n, int channels, int spatial, float[] gamma, float[] beta, double eps,
                             double momentum, float[] runningMean, float[] runningVar, float[] xHat, float[] mean,
                             float[] invStd, float[] y, int from, int to) {
        int count = n * spatial;
        for (int c = from; c < to; c++) {
            // one pass of shifted sums: mean and variance of x − x₀ in double (x₀ = the channel's first value, so
            // the variance does not cancel), two accumulators each to overlap the additions
            double shift = x[c * spatial];
            double s0 = 0;
            double s1 = 0;
            double q0 = 0;
            double q1 = 0;
            for (int b = 0; b < n; b++) {
                int i = (b * channels + c) * spatial;
                int end = i + spatial;
                for (; i + 1 < end; i += 2) {
                    double d0 = x[i] - shift;
                    double d1 = x[i + 1] - shift;
                    s0 += d0;
                    q0 += d0 * d0;
                    s1 += d1;
                    q1 += d1 * d1;
                }
                if (i < end) {
                    double d0 = x[i] - shift;
                    s0 += d0;
                    q0 += d0 * d0;
                }
            }
            double md = (s0 + s1) / count;
            double mu = shift + md;
            double var = Math.max(0, (q0 + q1) / count - md * md);
            double is = 1.0 / Math.sqrt(var + eps);
            double gc = gamma[c];
            double bc = beta[c];
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    double h = (x[i] - mu) * is;
                    xHat[i] = (float) h;
                    y[i] = (float) (gc * h + bc);
                }
            }
            mean[c] = (float) mu;
            invStd[c] = (float) is;
            double unbiased = count > 1 ? var * count / (count - 1) : var;
            runningMean[c] = (float) ((1 - momentum) * runningMean[c] + momentum * mu);
            runningVar[c] = (float) ((1 - momentum) * runningVar[c] + momentum * unbiased);
        }
    }

    static void inferForward(float[] x, int n, int channels, int spatial, float[] gamma, float[] beta,
                             float[] runningMean, float[] runningVar, double eps, float[] y, int from, int to) {
        for (int c = from; c < to; c++) {
            double scale = gamma[c] / Math.sqrt(runningVar[c] + eps);
            double shift = beta[c] - runningMean[c] * scale;
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    y[i] = (float) (x[i] * scale + shift);
                }
            }
        }
    }

    static void backward(float[] dy, int n, int channels, int spatial, float[] xHat, float[] gamma, float[] invStd,
                         float[] dx, float[] dGamma, float[] dBeta, int from, int to) {
        int count = n * spatial;
        for (int c = from; c < to; c++) {
            double s0 = 0;
            double s1 = 0;
            double p0 = 0;
            double p1 = 0;
            for (int b = 0; b < n; b++) {
                int i = (b * channels + c) * spatial;
                int end = i + spatial;
                for (; i + 1 < end; i += 2) {
                    double d0 = dy[i];
                    double d1 = dy[i + 1];
                    s0 += d0;
                    p0 += d0 * xHat[i];
                    s1 += d1;
                    p1 += d1 * xHat[i + 1];
                }
                if (i < end) {
                    double d0 = dy[i];
                    s0 += d0;
                    p0 += d0 * xHat[i];
                }
            }
            double sdy = s0 + s1;
            double sdyx = p0 + p1;
            dBeta[c] = (float) sdy;
            dGamma[c] = (float) sdyx;
            double f = (double) gamma[c] * invStd[c] / count;
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    dx[i] = (float) (f * (count * (double) dy[i] - sdy - xHat[i] * sdyx));
                }
            }
        }
    }
}
