package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.util.Arrays;

/**
 * Float 2-D convolution with stride 1 as one OpenBLAS product per kernel tap, without a column matrix: {@link TapConv}
 * in two dimensions, for convolutions with enough input channels that a product over the channels alone is wide
 * (W1's second convolution, 5×5 32→64 on 14×14).
 *
 * <p>Each example's input, zero-padded to Hp×Wp (Hp = outH + kH − 1, Wp = outW + kW − 1), is one row segment of
 * S = Hp·Wp columns per channel; m examples sit side by side in X [C, m·S]. Output (oy, ox) of example i is column
 * z = i·S + oy·Wp + ox, and tap (ky, kx) reads X at column z + ky·Wp + kx. So Y [O, N] = Σ_tap W_tap · X[:, off ..
 * off + N) with W_tap = w[:, :, ky, kx] [O, C], off = ky·Wp + kx and N = (m − 1)·S + q, q = (outH − 1)·Wp + outW.
 * Columns of each example with ox ≥ outW or beyond q are junk and dropped. The forward pass and the weight gradient
 * stack the kW taps of one kernel row (Xk [C·kW, m·S], row (c, kx) = X[c, kx ..]), so they run as kH products of
 * inner dimension C·kW reading Xk at column offset ky·Wp; the input gradient runs one product per tap.
 *
 * <p>Backward: the output gradient goes into D [O, F + m·S] on the same grid, behind F = (kH − 1)·Wp + kW − 1 zero
 * columns, its junk columns zero. dW_tap = D[:, F .. F + N) · X[:, off .. off + N)ᵀ (per kernel row, as above), and the padded input gradient is
 * dX[:, z] = Σ_tap W_tapᵀ · D[:, F + z − off] for all m·S columns: no col2im. Since q = S − F, every read of a shifted
 * D column that falls outside example i's outputs lands on zeros (the front, or the previous example's last F).
 */
final class TapConv2d {
    private static final int ROW = openblas_nolapack.CblasRowMajor;
    private static final int NO = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    /** From this many input channels a per-tap product (inner dimension C) is wide enough to beat the column matrix. */
    static final int MIN_CHANNELS = 16;
    /**
     * From this many kernel taps (4×4): the column matrix the shifted path builds grows with the taps, the per-tap
     * products do not. Below it the shifted path is quicker: W2's 3×3 ConvLSTM convolutions (20 and 32 channels on
     * 32×32) took 57–76 ms per batch-1 step with this class against 37–51 ms without it (`bench w2 --no-pytorch`,
     * alternating, 2026-11-27), and the same at batch 8 within noise.
     */
    static final int MIN_TAPS = 16;

    /**
     * Padded input floats (C·S per example) per product: few enough examples that the operands of the kH·kW products
     * stay in the core's cache. W1's conv2 (32 channels, S = 324): 3 examples. Measured there (profile, 2 workers):
     * 32 examples per product 31–33 ms forward, 67–73 ms backward; 1–8 examples 23–27 ms and 59–64 ms.
     */
    static final int CHUNK_FLOATS = 1 << 15;

    private TapConv2d() {
    }

    static boolean applies(int c, ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && c >= MIN_CHANNELS && g.kernelH() * g.kernelW() >= MIN_TAPS
                && g.outH() > 0 && g.outW() > 0;
    }

    /** Geometry of the padded grid. */
    private record Grid(int c, int h, int w, int kh, int kw, int outH, int outW, int padTop, int padLeft, int hp,
                        int wp) {
        static Grid of(int c, ConvGeometry g) {
            return new Grid(c, g.inH(), g.inW(), g.kernelH(), g.kernelW(), g.outH(), g.outW(), g.padTop(),
                    g.padLeft(), g.outH() + g.kernelH() - 1, g.outW() + g.kernelW() - 1);
        }

        int s() {
            return hp * wp;
        }

        int q() {
            return (outH - 1) * wp + outW;
        }

        int front() {
            return (kh - 1) * wp + kw - 1;
        }

        int taps() {
            return kh * kw;
        }

        /** Input rows iy with 0 <= iy + padTop < hp, and columns ix with 0 <= ix + padLeft < wp: [lo, hi). */
        int rowLo() {
            return Math.min(h, Math.max(0, -padTop));
        }

        int rowHi() {
            return Math.max(rowLo(), Math.min(h, hp - padTop));
        }

        int colLo() {
            return Math.min(w, Math.max(0, -padLeft));
        }

        int colHi() {
            return Math.max(colLo(), Math.min(w, wp - padLeft));
        }

        /** Example e of x, zero-padded, into xs [c, ld] at column col (the whole segment is written). */
        void pad(float[] x, int e, float[] xs, int col, int ld) {
            int s = s();
            int r0 = rowLo();
            int r1 = rowHi();
            int c0 = colLo();
            int len = colHi() - c0;
            for (int ic = 0; ic < c; ic++) {
                int seg = ic * ld + col;
                Arrays.fill(xs, seg, seg + s, 0f);
                if (len <= 0) {
                    continue;
                }
                for (int iy = r0; iy < r1; iy++) {
                    System.arraycopy(x, ((e * c + ic) * h + iy) * w + c0, xs, seg + (iy + padTop) * wp + padLeft + c0,
                            len);
                }
            }
        }
    }

    /** Examples per product: X [C, m·S] within the budget. */
    private static int chunk(int n, int c, int s, int maxFloats) {
        return (int) Math.max(1, Math.min(n, maxFloats / Math.max(1L, (long) c * s)));
    }

    /** w [O, C, kH, kW] → taps [kH·kW][O][C]. */
    private static void taps(float[] w, int o, int c, int t, float[] out) {
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                int src = (oc * c + ic) * t;
                for (int j = 0; j < t; j++) {
                    out[(j * o + oc) * c + ic] = w[src + j];
                }
            }
        }
    }

    /** w [O, C, kH, kW] → row weights [kH][O][C·kW]: one [O, C·kW] matrix per kernel row. */
    private static void rowWeights(float[] w, int o, int c, int kh, int kw, float[] out) {
        int ckw = c * kw;
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                for (int ky = 0; ky < kh; ky++) {
                    System.arraycopy(w, ((oc * c + ic) * kh + ky) * kw, out, (ky * o + oc) * ckw + ic * kw, kw);
                }
            }
        }
    }

    /**
     * X [C, ld] → Xk [C·kW, ld] with row (ic, kx) = X[ic, kx ..]: the kW horizontal taps stacked, so that one product
     * per kernel row has an inner dimension of C·kW instead of C. Its last kx columns are never read.
     */
    private static void expandRows(float[] xs, int c, int kw, int ld, float[] xk) {
        for (int ic = 0; ic < c; ic++) {
            for (int kx = 0; kx < kw; kx++) {
                System.arraycopy(xs, ic * ld + kx, xk, (ic * kw + kx) * ld, ld - kx);
            }
        }
    }

    /** y for examples [from, to). */
    static void forward(Scratch s, float[] x, float[] w, float[] bias, int from, int to, int c, int o, ConvGeometry g,
                        float[] y, int maxFloats) {
        Grid gr = Grid.of(c, g);
        int seg = gr.s();
        int t = gr.taps();
        int ow = g.outW();
        int p = g.outH() * ow;
        int chunk = chunk(to - from, c, seg, maxFloats);
        int ckw = c * gr.kw();
        int kh = gr.kh();
        int kw = gr.kw();
        FloatPointer pw = s.layouts.pointer(w, t * o * c, new WeightLayouts.Key("tapconv2d-rows", o, c, kh, kw, 1, 1),
                t * o * c, (src, out) -> rowWeights(src, o, c, kh, kw, out));
        FloatPointer px = s.floats(1, (long) ckw * chunk * seg);
        FloatPointer py = s.floats(2, (long) o * chunk * seg);
        float[] xs = s.heapFloats(1, c * chunk * seg);
        float[] xk = s.heapFloats(4, ckw * chunk * seg);
        float[] wide = s.heapFloats(2, o * chunk * seg);
        for (int first = from; first < to; first += chunk) {
            int m = Math.min(chunk, to - first);
            int ld = m * seg;
            int n = (m - 1) * seg + gr.q();
            for (int i = 0; i < m; i++) {
                gr.pad(x, first + i, xs, i * seg, ld);
            }
            expandRows(xs, c, gr.kw(), ld, xk);
            px.put(xk, 0, ckw * ld);
            for (int ky = 0; ky < gr.kh(); ky++) {
                openblas_nolapack.cblas_sgemm(ROW, NO, NO, o, n, ckw, 1f,
                        new FloatPointer(pw).position((long) ky * o * ckw), ckw,
                        new FloatPointer(px).position((long) ky * gr.wp()), ld, ky == 0 ? 0f : 1f, py, ld);
            }
            py.get(wide, 0, o * ld);
            for (int i = 0; i < m; i++) {
                for (int oc = 0; oc < o; oc++) {
                    int dst = ((first + i) * o + oc) * p;
                    int src = oc * ld + i * seg;
                    for (int oy = 0; oy < g.outH(); oy++, dst += ow, src += gr.wp()) {
                        System.arraycopy(wide, src, y, dst, ow);
                    }
                    if (bias != null) {
                        // the bias in place, one index per loop (vectorised by C2)
                        float b = bias[oc];
                        for (int k = dst - p; k < dst; k++) {
                            y[k] += b;
                        }
                    }
                }
            }
        }
    }

    /** dx for examples [from, to) (when dx is not null) and this range's share of dW (overwritten). */
    static void backward(Scratch s, float[] x, float[] w, float[] dy, int from, int to, int c, int o, ConvGeometry g,
                         float[] dx, float[] dw, int maxFloats) {
        Grid gr = Grid.of(c, g);
        int seg = gr.s();
        int t = gr.taps();
        int ow = g.outW();
        int p = g.outH() * ow;
        int front = gr.front();
        int chunk = chunk(to - from, Math.max(c, o), seg, maxFloats);
        int ckw = c * gr.kw();
        FloatPointer px = s.floats(1, (long) ckw * chunk * seg);
        FloatPointer pdy = s.floats(2, (long) o * (chunk * seg + front));
        FloatPointer pdw = s.floats(3, (long) t * o * c);
        float[] xs = s.heapFloats(1, c * chunk * seg);
        float[] xk = s.heapFloats(4, ckw * chunk * seg);
        float[] wide = s.heapFloats(2, o * (chunk * seg + front));
        FloatPointer pw = null;
        FloatPointer pdx = null;
        float[] dxs = null;
        if (dx != null) {
            pw = s.layouts.pointer(w, t * o * c, new WeightLayouts.Key("tapconv2d-taps", o, c, gr.kh(), gr.kw(), 1, 1),
                    t * o * c, (src, out) -> taps(src, o, c, t, out));
            pdx = s.floats(4, (long) c * chunk * seg);
            dxs = s.heapFloats(3, c * chunk * seg);
        }
        int r0 = gr.rowLo();
        int r1 = gr.rowHi();
        int c0 = gr.colLo();
        int c1 = gr.colHi();
        int h = g.inH();
        int iw = g.inW();
        for (int first = from; first < to; first += chunk) {
            int m = Math.min(chunk, to - first);
            int ld = m * seg;
            int ldp = ld + front;
            int n = (m - 1) * seg + gr.q();
            Arrays.fill(wide, 0, o * ldp, 0f);
            for (int i = 0; i < m; i++) {
                gr.pad(x, first + i, xs, i * seg, ld);
                for (int oc = 0; oc < o; oc++) {
                    int src = ((first + i) * o + oc) * p;
                    int dst = oc * ldp + front + i * seg;
                    for (int oy = 0; oy < g.outH(); oy++, src += ow, dst += gr.wp()) {
                        System.arraycopy(dy, src, wide, dst, ow);
                    }
                }
            }
            expandRows(xs, c, gr.kw(), ld, xk);
            px.put(xk, 0, ckw * ld);
            pdy.put(wide, 0, o * ldp);
            FloatPointer dy0 = new FloatPointer(pdy).position(front);
            for (int ky = 0; ky < gr.kh(); ky++) {
                openblas_nolapack.cblas_sgemm(ROW, NO, TRANS, o, ckw, n, 1f, dy0, ldp,
                        new FloatPointer(px).position((long) ky * gr.wp()), ld, first == from ? 0f : 1f,
                        new FloatPointer(pdw).position((long) ky * o * ckw), ckw);
            }
            if (dx != null) {
                for (int ky = 0, j = 0; ky < gr.kh(); ky++) {
                    for (int kx = 0; kx < gr.kw(); kx++, j++) {
                        openblas_nolapack.cblas_sgemm(ROW, TRANS, NO, c, ld, o, 1f,
                                new FloatPointer(pw).position((long) j * o * c), c,
                                new FloatPointer(pdy).position(front - ((long) ky * gr.wp() + kx)), ldp,
                                j == 0 ? 0f : 1f, pdx, ld);
                    }
                }
                pdx.get(dxs, 0, c * ld);
                for (int i = 0; i < m; i++) {
                    for (int ic = 0; ic < c; ic++) {
                        int plane = ((first + i) * c + ic) * h * iw;
                        int seg0 = ic * ld + i * seg;
                        Arrays.fill(dx, plane, plane + r0 * iw, 0f);
                        for (int iy = r0; iy < r1; iy++) {
                            int dst = plane + iy * iw;
                            Arrays.fill(dx, dst, dst + c0, 0f);
                            System.arraycopy(dxs, seg0 + (iy + gr.padTop()) * gr.wp() + gr.padLeft() + c0, dx,
                                    dst + c0, c1 - c0);
                            Arrays.fill(dx, dst + c1, dst + iw, 0f);
                        }
                        Arrays.fill(dx, plane + r1 * iw, plane + h * iw, 0f);
                    }
                }
            }
        }
        float[] tdw = s.heapFloats(0, t * o * c);
        pdw.get(tdw, 0, t * o * c);
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                for (int ky = 0; ky < gr.kh(); ky++) {
                    System.arraycopy(tdw, (ky * o + oc) * ckw + ic * gr.kw(), dw, ((oc * c + ic) * gr.kh() + ky) * gr.kw(),
                            gr.kw());
                }
            }
        }
    }
}
