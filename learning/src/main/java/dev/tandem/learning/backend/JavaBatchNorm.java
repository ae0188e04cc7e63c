package dev.tandem.learning.backend;

/** Reference batch normalisation over axis 1 of [N, C, spatial...]. */
final class JavaBatchNorm {
    private JavaBatchNorm() {
    }

    static void trainForward(Buf x, int[] xs, Buf gamma, Buf beta, double eps, double momentum,
                             Buf runningMean, Buf runningVar, Buf xHat, Buf mean, Buf invStd, Buf y) {
        int n = xs[0];
        int channels = xs[1];
        int spatial = x.length() / (n * channels);
        int count = n * spatial;
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    s += x.get(base + k);
                }
            }
            double mu = s / count;
            double ss = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    double d = x.get(base + k) - mu;
                    ss += d * d;
                }
            }
            double var = ss / count;
            double is = 1.0 / Math.sqrt(var + eps);
            double gc = gamma.get(c);
            double bc = beta.get(c);
            for (int b = 0; b < n; b++) {
                int base = (b * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    double h = (x.get(base + k) - mu) * is;
                    xHat.set(base + k, h);
                    y.set(base + k, gc * h + bc);
                }
            }
            mean.set(c, mu);
            invStd.set(c, is);
            double unbiased = count > 1 ? var * count / (count - 1) : var;
            runningMean.set(c, (1 - momentum) * runningMean.get(c) + momentum * mu);
            runningVar.set(c, (1 - momentum) * runningVar.get(c) + momentum * unbiased);
        }
    }

    static void inferForward(Buf x, int[] xs, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, double eps,
                             Buf y) {
        int n = xs[0];
        int channels = xs[1];
        int spatial = x.length() / (n * channels);
        for (int c = 0; c < channels; c++) {
            double scale = gamma.get(c) / Math.sqrt(runningVar.get(c) + eps);
            double shift = beta.get(c) - runningMean.get(c) * scale;
            for (int b = 0; b < n; b++) {
                int base = (b * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    y.set(base + k, x.get(base + k) * scale + shift);
                }
            }
        }
    }

    static void backward(Buf dy, int[] ys, Buf xHat, Buf gamma, Buf invStd, Buf dx, Buf dGamma, Buf dBeta) {
        int n = ys[0];
        int channels = ys[1];
        int spatial = dy.length() / (n * channels);
        int count = n * spatial;
        for (int c = 0; c < channels; c++) {
            double sdy = 0;
            double sdyx = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    double d = dy.get(base + k);
                    sdy += d;
                    sdyx += d * xHat.get(base + k);
                }
            }
            dBeta.set(c, sdy);
            dGamma.set(c, sdyx);
            double f = gamma.get(c) * invStd.get(c) / count;
            for (int b = 0; b < n; b++) {
                int base = (b * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    dx.set(base + k, f * (count * dy.get(base + k) - sdy - xHat.get(base + k) * sdyx));
                }
            }
        }
    }
}
