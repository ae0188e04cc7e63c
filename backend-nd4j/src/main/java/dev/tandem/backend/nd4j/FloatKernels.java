package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.FloatReductions;

/**
 * Small float loops of a training step on primitive arrays, without the reference's per-element virtual calls: the
 * bias gradient as float runs summed in double, Adam in float.
 */
final class FloatKernels {
    private FloatKernels() {
    }

    /**
     * Adam on elements [from, to): the reference's rule, m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
     * p ← p − lr·(m / c₁) / (√(v / c₂) + ε), with c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ given, in float arithmetic
     * arranged as p ← p − (lr / c₁)·m / (√v · c₂^−½ + ε): one square root and one division per element in a loop
     * the JIT vectorises, where the reference's double square root and two divisions cost ~1 ms per W3 step. The
     * result differs from the reference's by float rounding of the update (parity tests: 1e-4 normwise).
     */
    static void adam(float[] p, float[] g, float[] m, float[] v, double lr, double beta1, double beta2, double eps,
                     double c1, double c2, int from, int to) {
        float b1 = (float) beta1;
        float a1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float a2 = (float) (1 - beta2);
        float step = (float) (lr / c1);
        float rs = (float) (1 / Math.sqrt(c2));
        float e = (float) eps;
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + a1 * gi;
            float vi = b2 * v[i] + a2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] - step * mi / ((float) Math.sqrt(vi) * rs + e);
        }
    }

    /** SGD with momentum and weight decay on [from, to), in float (the reference's formula, PyTorch's arithmetic). */
    static void sgd(float[] p, float[] g, float[] b, double lr, double momentum, double weightDecay, int from, int to) {
        float l = (float) lr;
        float mu = (float) momentum;
        float wd = (float) weightDecay;
        for (int i = from; i < to; i++) {
            float v = mu * b[i] + (g[i] + wd * p[i]);
            b[i] = v;
            p[i] = p[i] - l * v;
        }
    }

    /** dBias[c] = Σ over examples and positions of dy[n, c, ...]: {@link FloatReductions#sum}. */
    static void channelSums(float[] dy, int n, int channels, int spatial, float[] out) {
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int b = 0; b < n; b++) {
                int i = (b * channels + c) * spatial;
                s += FloatReductions.sum(dy, i, i + spatial);
            }
            out[c] = (float) s;
        }
    }
}
