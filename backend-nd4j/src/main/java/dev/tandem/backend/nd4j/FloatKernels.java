package dev.tandem.backend.nd4j;

/**
 * Small float loops of a training step on primitive arrays: the reference's arithmetic (in double, rounded to float
 * where the reference stores) without its per-element virtual calls.
 */
final class FloatKernels {
    private FloatKernels() {
    }

    /**
     * Adam on elements [from, to): the reference's rule, m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
     * p ← p − lr·(m / c₁) / (√(v / c₂) + ε), with c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ given.
     */
    static void adam(float[] p, float[] g, float[] m, float[] v, double lr, double beta1, double beta2, double eps,
                     double c1, double c2, int from, int to) {
        for (int i = from; i < to; i++) {
            double gi = g[i];
            double mi = beta1 * m[i] + (1 - beta1) * gi;
            double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = (float) mi;
            v[i] = (float) vi;
            p[i] = (float) (p[i] - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps));
        }
    }

    /** dBias[c] = Σ over examples and positions of dy[n, c, ...], in double with two accumulators. */
    static void channelSums(float[] dy, int n, int channels, int spatial, float[] out) {
        for (int c = 0; c < channels; c++) {
            double s0 = 0;
            double s1 = 0;
            for (int b = 0; b < n; b++) {
                int i = (b * channels + c) * spatial;
                int end = i + spatial;
                for (; i + 1 < end; i += 2) {
                    s0 += dy[i];
                    s1 += dy[i + 1];
                }
                if (i < end) {
                    s0 += dy[i];
                }
            }
            out[c] = (float) (s0 + s1);
        }
    }
}
