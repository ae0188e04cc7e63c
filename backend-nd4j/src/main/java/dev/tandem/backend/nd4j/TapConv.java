package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.util.Arrays;

/**
 * Float 1-D convolution with stride 1 (H = kH = 1) as one OpenBLAS product per kernel tap, without a column matrix.
 *
 * <p>m examples sit side by side in one matrix X [C, m·Wp], each example's channel row zero-padded to Wp = outW + kW − 1
 * (padLeft zeros in front). Output column q = i·Wp + t (example i, position t < outW) is
 * Σ_j W_j · X[:, q + j], with W_j = w[:, :, j] [O, C]; so Y [O, N] = Σ_j W_j · X[:, j .. j + N), N = m·Wp − kW + 1,
 * is kW products that read X in place at column offset j (leading dimension m·Wp): no im2col copies at all, kW times
 * fewer floats to move than {@link ShiftedConv}'s column matrix. The columns t ≥ outW of each example are junk and
 * dropped. Backward: dW_j = dY · X[:, j .. j + N)ᵀ with the junk columns of dY zeroed, and dX[:, q] = Σ_j W_jᵀ ·
 * dY[:, q − j] over all m·Wp columns (dY behind kW − 1 zero columns), whose interior is dx.
 */
final class TapConv {
    private static final int ROW = openblas_nolapack.CblasRowMajor;
    private static final int NO = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    private TapConv() {
    }

    static boolean applies(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.kernelH() == 1 && g.inH() == 1 && g.outH() == 1
                && g.padTop() == 0;
    }

    /** Examples per product: X [C, m·Wp] within the column budget. */
    private static int chunk(int n, int c, int wp, int maxFloats) {
        return (int) Math.max(1, Math.min(n, maxFloats / Math.max(1L, (long) c * wp)));
    }

    /** Row ic of example e, zero-padded to wp, into xs at column offset col of a [c, ld] matrix. */
    private static void padRows(float[] x, int e, int c, ConvGeometry g, int wp, float[] xs, int col, int ld) {
        int w = g.inW();
        int from = Math.max(0, -g.padLeft());
        int to = Math.min(w, wp - g.padLeft());
        for (int ic = 0; ic < c; ic++) {
            int dst = ic * ld + col;
            Arrays.fill(xs, dst, dst + wp, 0f);
            if (to > from) {
                System.arraycopy(x, (e * c + ic) * w + from, xs, dst + g.padLeft() + from, to - from);
            }
        }
    }

    /** w [O, C, 1, kW] → taps [kW][O][C] (written in order: a strided write per element was 2× slower). */
    private static void taps(float[] w, int o, int c, int kw, float[] out) {
        for (int j = 0; j < kw; j++) {
            for (int oc = 0; oc < o; oc++) {
                int dst = (j * o + oc) * c;
                int src = oc * c * kw + j;
                for (int ic = 0; ic < c; ic++) {
                    out[dst + ic] = w[src + ic * kw];
                }
            }
        }
    }

    /** The taps of w in native memory, laid out again only when w has changed ({@link WeightLayouts}). */
    private static FloatPointer tapWeights(Scratch s, float[] w, int o, int c, int kw) {
        int n = kw * o * c;
        return s.layouts.pointer(w, n, new WeightLayouts.Key("tapconv1d", o, c, 1, kw, 1, 1), n,
                (src, out) -> taps(src, o, c, kw, out));
    }

    /** y for examples [from, to). */
    static void forward(Scratch s, float[] x, float[] w, float[] bias, int from, int to, int c, int o, ConvGeometry g,
                        float[] y, int maxFloats) {
        int kw = g.kernelW();
        int ow = g.outW();
        int wp = ow + kw - 1;
        int chunk = chunk(to - from, c, wp, maxFloats);
        FloatPointer pw = tapWeights(s, w, o, c, kw);
        FloatPointer px = s.floats(1, (long) c * chunk * wp);
        FloatPointer py = s.floats(2, (long) o * chunk * wp);
        float[] xs = s.heapFloats(1, c * chunk * wp);
        float[] wide = s.heapFloats(2, o * chunk * wp);
        for (int first = from; first < to; first += chunk) {
            int m = Math.min(chunk, to - first);
            int ld = m * wp;
            int n = ld - kw + 1;
            for (int i = 0; i < m; i++) {
                padRows(x, first + i, c, g, wp, xs, i * wp, ld);
            }
            px.put(xs, 0, c * ld);
            for (int j = 0; j < kw; j++) {
                openblas_nolapack.cblas_sgemm(ROW, NO, NO, o, n, c, 1f, new FloatPointer(pw).position((long) j * o * c),
                        c, new FloatPointer(px).position(j), ld, j == 0 ? 0f : 1f, py, ld);
            }
            py.get(wide, 0, o * ld);
            for (int i = 0; i < m; i++) {
                for (int oc = 0; oc < o; oc++) {
                    int dst = ((first + i) * o + oc) * ow;
                    // a copy, then the bias in place: one index per loop, which C2 vectorises (a loop reading and
                    // writing two arrays at different offsets it does not)
                    System.arraycopy(wide, oc * ld + i * wp, y, dst, ow);
                    if (bias != null) {
                        float b = bias[oc];
                        for (int t = dst, end = dst + ow; t < end; t++) {
                            y[t] += b;
                        }
                    }
                }
            }
        }
    }

    /**
     * dx for examples [from, to) (when dx is not null) and this range's share of dW (overwritten). dY sits in a
     * buffer with kw − 1 zero columns in front (leading dimension ld + kw − 1), so that dX[:, q] = Σ_j W_jᵀ ·
     * dY[:, q − j] is kw products over all ld columns, the first with beta 0: no zeroed dX buffer to copy in.
     */
    static void backward(Scratch s, float[] x, float[] w, float[] dy, int from, int to, int c, int o, ConvGeometry g,
                         float[] dx, float[] dw, int maxFloats) {
        int kw = g.kernelW();
        int ow = g.outW();
        int wp = ow + kw - 1;
        int chunk = chunk(to - from, c, wp, maxFloats);
        int front = kw - 1;
        FloatPointer px = s.floats(1, (long) c * chunk * wp);
        FloatPointer pdy = s.floats(2, (long) o * (chunk * wp + front));
        FloatPointer pdw = s.floats(3, (long) kw * o * c);
        float[] xs = s.heapFloats(1, c * chunk * wp);
        float[] wide = s.heapFloats(2, o * (chunk * wp + front));
        FloatPointer pw = null;
        FloatPointer pdx = null;
        float[] dxs = null;
        if (dx != null) {
            pw = tapWeights(s, w, o, c, kw);
            pdx = s.floats(4, (long) c * chunk * wp);
            dxs = s.heapFloats(3, c * chunk * wp);
        }
        int iw = g.inW();
        // input positions ix that sit inside the padded row (0 <= ix + padLeft < wp); the others get 0
        int lo = Math.min(iw, Math.max(0, -g.padLeft()));
        int hi = Math.max(lo, Math.min(iw, wp - g.padLeft()));
        for (int first = from; first < to; first += chunk) {
            int m = Math.min(chunk, to - first);
            int ld = m * wp;
            int ldp = ld + front;
            int n = ld - kw + 1;
            Arrays.fill(wide, 0, o * ldp, 0f);
            for (int i = 0; i < m; i++) {
                padRows(x, first + i, c, g, wp, xs, i * wp, ld);
                for (int oc = 0; oc < o; oc++) {
                    System.arraycopy(dy, ((first + i) * o + oc) * ow, wide, oc * ldp + front + i * wp, ow);
                }
            }
            px.put(xs, 0, c * ld);
            pdy.put(wide, 0, o * ldp);
            FloatPointer dy0 = new FloatPointer(pdy).position(front);
            for (int j = 0; j < kw; j++) {
                openblas_nolapack.cblas_sgemm(ROW, NO, TRANS, o, c, n, 1f, dy0, ldp, new FloatPointer(px).position(j),
                        ld, first == from ? 0f : 1f, new FloatPointer(pdw).position((long) j * o * c), c);
            }
            if (dx != null) {
                for (int j = 0; j < kw; j++) {
                    openblas_nolapack.cblas_sgemm(ROW, TRANS, NO, c, ld, o, 1f,
                            new FloatPointer(pw).position((long) j * o * c), c,
                            new FloatPointer(pdy).position(front - j), ldp, j == 0 ? 0f : 1f, pdx, ld);
                }
                pdx.get(dxs, 0, c * ld);
                for (int i = 0; i < m; i++) {
                    for (int ic = 0; ic < c; ic++) {
                        int dst = ((first + i) * c + ic) * iw;
                        Arrays.fill(dx, dst, dst + lo, 0f);
                        System.arraycopy(dxs, ic * ld + i * wp + g.padLeft() + lo, dx, dst + lo, hi - lo);
                        Arrays.fill(dx, dst + hi, dst + iw, 0f);
                    }
                }
            }
        }
        float[] tdw = s.heapFloats(0, kw * o * c);
        pdw.get(tdw, 0, kw * o * c);
        for (int oc = 0; oc < o; oc++) {
            for (int j = 0; j < kw; j++) {
                int src = (j * o + oc) * c;
                int dst = oc * c * kw + j;
                for (int ic = 0; ic < c; ic++) {
                    dw[dst + ic * kw] = tdw[src + ic];
                }
            }
        }
    }
}
