package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.FloatReductions;

/**
 * Batch normalisation over axis 1 of float [N, C, spatial...] on primitive arrays, for channels [from, to) only, so
 * that disjoint channel ranges can run in parallel.
 *
 * <p>Written for what the JIT (JDK 17's C2) does well: the sums over one example's row of a channel are
 * {@link FloatReductions} (float runs added in double; Vector API lanes when the module is there), and the
 * element-wise passes (the normalisation, the input gradient) use one index into every array and per-channel float constants, so C2 vectorises them (8 floats per AVX2 operation;
 * it does not vectorise a loop whose arrays are indexed at different offsets, nor float reductions). The statistics
 * take two passes like the reference (the mean, then the squared deviations from it, so the variance cannot
 * cancel). Measured on W3's five shapes ([32, 16..64, 1, 128..8], one thread, best of 3,000 calls, loaded VM):
 * forward 282/292/290/142/75 → 93-117/98-107/122-128/81-86/47-68 µs, backward 162/208/195/133/88 →
 * 76-101/82-89/98/65-71/35-52 µs, against the previous version's double arithmetic per element. Results agree with
 * the reference ({@code JavaBatchNorm}, double) to a few float roundings per element.
 */
final class FloatBatchNorm {
    /**
     * From this many values per channel the input gradient runs in float; below, in double like the reference. With
     * a handful of values the three terms of dx nearly cancel (two values: x̂ = ±1 and dx is only what eps leaves),
     * and float arithmetic would lose the small remainder (measured: 3% off with two values per channel).
     */
    static final int FLOAT_GRADIENT_MIN_COUNT = 16;

    private FloatBatchNorm() {
    }

    static void trainForward(float[] x, int n, int channels, int spatial, float[] gamma, float[] beta, double eps,
                             double momentum, float[] runningMean, float[] runningVar, float[] xHat, float[] mean,
                             float[] invStd, float[] y, int from, int to) {
        int count = n * spatial;
        for (int c = from; c < to; c++) {
            double s = 0;
            for (int b = 0; b < n; b++) {
                int i = (b * channels + c) * spatial;
                s += FloatReductions.sum(x, i, i + spatial);
            }
            double mu = s / count;
            float muF = (float) mu;
            double ss = 0;
            for (int b = 0; b < n; b++) {
                int i = (b * channels + c) * spatial;
                ss += FloatReductions.squaredDeviations(x, i, i + spatial, muF);
            }
            // Σ(x − μf)² = Σ(x − μ)² + count·(μ − μf)²
            double dm = mu - muF;
            double var = Math.max(0, ss / count - dm * dm);
            double is = 1.0 / Math.sqrt(var + eps);
            float isF = (float) is;
            float gc = gamma[c];
            float bc = beta[c];
            // x − μ as (x − μf) − (μ − μf): the first difference is exact or nearly so for x near μ, and the float
            // rounding of μ (up to half an ulp of μ, large against the spread when |μ| is) is taken back
            float dmF = (float) dm;
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    float h = (x[i] - muF - dmF) * isF;
                    xHat[i] = h;
                    y[i] = gc * h + bc;
                }
            }
            mean[c] = muF;
            invStd[c] = isF;
            double unbiased = count > 1 ? var * count / (count - 1) : var;
            runningMean[c] = (float) ((1 - momentum) * runningMean[c] + momentum * mu);
            runningVar[c] = (float) ((1 - momentum) * runningVar[c] + momentum * unbiased);
        }
    }

    static void inferForward(float[] x, int n, int channels, int spatial, float[] gamma, float[] beta,
                             float[] runningMean, float[] runningVar, double eps, float[] y, int from, int to) {
        for (int c = from; c < to; c++) {
            double scale = gamma[c] / Math.sqrt(runningVar[c] + eps);
            // float constants: a float-to-double conversion per element is not vectorised by JDK 17's C2 and was
            // ~6 ns per value (a fifth of W4's single-window inference); JDK 25 vectorises either form
            float scaleF = (float) scale;
            float shiftF = (float) (beta[c] - runningMean[c] * scale);
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    y[i] = x[i] * scaleF + shiftF;
                }
            }
        }
    }

    static void backward(float[] dy, int n, int channels, int spatial, float[] xHat, float[] gamma, float[] invStd,
                         float[] dx, float[] dGamma, float[] dBeta, int from, int to) {
        int count = n * spatial;
        double[] sums = new double[2];
        for (int c = from; c < to; c++) {
            sums[0] = 0;
            sums[1] = 0;
            for (int b = 0; b < n; b++) {
                int i = (b * channels + c) * spatial;
                FloatReductions.sumAndDot(dy, xHat, i, i + spatial, sums);
            }
            double sdy = sums[0];
            double sdyx = sums[1];
            dBeta[c] = (float) sdy;
            dGamma[c] = (float) sdyx;
            // dx = f·(count·dy − Σdy − x̂·Σdy·x̂), f = γ·invStd / count
            double f = (double) gamma[c] * invStd[c] / count;
            if (count < FLOAT_GRADIENT_MIN_COUNT) {
                for (int b = 0; b < n; b++) {
                    for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                        dx[i] = (float) (f * (count * (double) dy[i] - sdy - xHat[i] * sdyx));
                    }
                }
                continue;
            }
            float a = (float) (f * count);
            float off = (float) (f * sdy);
            float k = (float) (f * sdyx);
            for (int b = 0; b < n; b++) {
                for (int i = (b * channels + c) * spatial, end = i + spatial; i < end; i++) {
                    dx[i] = a * dy[i] - (off + k * xHat[i]);
                }
            }
        }
    }
}
