package dev.tandem.backend.nd4j;

/**
 * Batch normalisation over axis 1 of float [N, C, spatial...] on primitive arrays, for channels [from, to) only, so
 * that disjoint channel ranges can run in parallel. The arithmetic is the reference's ({@code JavaBatchNorm}) step
 * for step — sums and the normalisation in double, in the same order, each result rounded to float once where the
 * reference stores it — without its per-element virtual calls, so the results are the reference's.
 */
final class FloatBatchNorm {
    private FloatBatchNorm() {
    }

    static void trainForward(float[] x, int n, int channels, int spatial, float[] gamma, float[] beta, double eps,
                             double momentum, float[] runningMean, float[] runningVar, float[] xHat, float[] mean,
                             float[] invStd, float[] y, int from, int to) {
        int count = n * spatial;
        for (int c = from; c < to; c++) {
            double s = 0;
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    s += x[i];
                }
            }
            double mu = s / count;
            double ss = 0;
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    double d = x[i] - mu;
                    ss += d * d;
                }
            }
            double var = ss / count;
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
            double sdy = 0;
            double sdyx = 0;
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    double d = dy[i];
                    sdy += d;
                    sdyx += d * xHat[i];
                }
            }
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
