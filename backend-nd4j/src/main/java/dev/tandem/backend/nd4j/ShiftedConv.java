package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Float convolution with stride 1 on an extended output grid, the fast path of {@link Nd4jBackend}.
 *
 * <p>With the input zero-padded to Hp×Wp, the window of output (oy, ox) for kernel tap (ky, kx) reads padded
 * element (oy + ky)·Wp + ox + kx. Index outputs by q = oy·Wp + ox — a grid Wp wide instead of outW, whose last
 * Wp − outW columns of each row are junk — and the column-matrix row of tap (c, ky, kx) is one contiguous slice of
 * the padded channel c, starting at ky·Wp + kx. im2col becomes one bulk copy per (c, ky, kx) straight into
 * OpenBLAS's buffer, instead of one small copy per output row; the price is (Wp/outW − 1) more columns in the
 * product (29 % for the toolkit CNN's 5×5 same convolution on 14×14). The junk columns are dropped from the output,
 * and zeroed in the output gradient, so they contribute nothing to dW and nothing to dx.
 */
final class ShiftedConv {
    private static final int ROW = openblas_nolapack.CblasRowMajor;
    private static final int NO = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    private ShiftedConv() {
    }

    static boolean applies(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1;
    }

    /** Geometry of the padded input and the extended grid. */
    private record Grid(int c, int kh, int kw, int hp, int wp, int q, int ck, int outH, int outW, int padTop,
                        int padLeft, int h, int w) {
        static Grid of(int c, ConvGeometry g) {
            int hp = g.outH() + g.kernelH() - 1;
            int wp = g.outW() + g.kernelW() - 1;
            int q = (g.outH() - 1) * wp + g.outW();
            return new Grid(c, g.kernelH(), g.kernelW(), hp, wp, q, c * g.kernelH() * g.kernelW(), g.outH(), g.outW(),
                    g.padTop(), g.padLeft(), g.inH(), g.inW());
        }

        int paddedSize() {
            return c * hp * wp;
        }

        /** Copies example x[off..] into the interior of the zero-bordered padded array. */
        void pad(float[] x, int off, float[] padded) {
            for (int ic = 0; ic < c; ic++) {
                for (int iy = 0; iy < h; iy++) {
                    int py = iy + padTop;
                    if (py < 0 || py >= hp) {
                        continue;
                    }
                    int from = Math.max(0, -padLeft);
                    int to = Math.min(w, wp - padLeft);
                    if (to > from) {
                        System.arraycopy(x, off + (ic * h + iy) * w + from, padded, (ic * hp + py) * wp + padLeft + from,
                                to - from);
                    }
                }
            }
        }

        /** Writes the column-matrix block of one example (rows ck, columns q at colOff) into the buffer. */
        void columns(float[] padded, FloatBuffer cols, int colOff, int ld) {
            int r = 0;
            for (int ic = 0; ic < c; ic++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++, r++) {
                        cols.put(r * ld + colOff, padded, (ic * hp + ky) * wp + kx, q);
                    }
                }
            }
        }
    }

    /** y for examples [from, to). */
    static void forward(Scratch s, float[] x, float[] w, float[] bias, int from, int to, int c, int o, ConvGeometry g,
                        float[] y, int maxColumnFloats) {
        int n = to - from;
        Grid gr = Grid.of(c, g);
        int inPer = c * g.inH() * g.inW();
        int p = g.outH() * g.outW();
        int chunk = (int) Math.max(1, Math.min(n, maxColumnFloats / Math.max(1L, (long) gr.ck() * gr.q())));
        FloatPointer pw = s.layouts.copy(w, o, gr.ck());
        FloatPointer pcol = s.floats(1, (long) gr.ck() * chunk * gr.q());
        FloatPointer py = s.floats(2, (long) o * chunk * gr.q());
        FloatBuffer cols = pcol.asBuffer();
        float[] padded = s.heapFloats(3, gr.paddedSize());
        Arrays.fill(padded, 0, gr.paddedSize(), 0f);
        float[] wide = s.heapFloats(1, o * chunk * gr.q());
        for (int first = from; first < to; first += chunk) {
            int m = Math.min(chunk, to - first);
            int ld = m * gr.q();
            for (int i = 0; i < m; i++) {
                gr.pad(x, (first + i) * inPer, padded);
                gr.columns(padded, cols, i * gr.q(), ld);
            }
            openblas_nolapack.cblas_sgemm(ROW, NO, NO, o, ld, gr.ck(), 1f, pw, gr.ck(), pcol, ld, 0f, py, ld);
            py.get(wide, 0, o * ld);
            for (int i = 0; i < m; i++) {
                for (int oc = 0; oc < o; oc++) {
                    float b = bias == null ? 0f : bias[oc];
                    int dst = ((first + i) * o + oc) * p;
                    int src = oc * ld + i * gr.q();
                    for (int oy = 0; oy < g.outH(); oy++, dst += g.outW(), src += gr.wp()) {
                        for (int ox = 0; ox < g.outW(); ox++) {
                            y[dst + ox] = wide[src + ox] + b;
                        }
                    }
                }
            }
        }
    }

    /**
     * y for examples [from, to) one at a time, each split by output rows across the workers: the calling thread pads
     * the example, then every worker builds the columns of its rows' part of the extended grid, runs its own product
     * on that column block and writes its rows of y. For a batch smaller than the workers (batch 1, the streaming
     * case), where {@link #forward} would leave all but one core idle.
     */
    static void forwardByRows(Scratch s, ExampleParallelism parallel, java.util.function.Supplier<Scratch> workerScratch,
                              float[] x, float[] w, float[] bias, int from, int to, int c, int o, ConvGeometry g,
                              float[] y) {
        Grid gr = Grid.of(c, g);
        int inPer = c * g.inH() * g.inW();
        int p = g.outH() * g.outW();
        int q = gr.q();
        FloatPointer pw = s.layouts.copy(w, o, gr.ck());
        FloatPointer pcol = s.floats(1, (long) gr.ck() * q);
        FloatPointer py = s.floats(2, (long) o * q);
        float[] padded = s.heapFloats(3, gr.paddedSize());
        Arrays.fill(padded, 0, gr.paddedSize(), 0f);
        for (int e = from; e < to; e++) {
            gr.pad(x, e * inPer, padded);
            int yOff = e * o * p;
            parallel.forRanges(g.outH(), (oy0, oy1, worker) -> {
                int q0 = oy0 * gr.wp();
                int len = (oy1 - 1) * gr.wp() + g.outW() - q0;
                FloatBuffer cols = pcol.asBuffer();
                int r = 0;
                for (int ic = 0; ic < c; ic++) {
                    for (int ky = 0; ky < gr.kh(); ky++) {
                        for (int kx = 0; kx < gr.kw(); kx++, r++) {
                            cols.put(r * q + q0, padded, (ic * gr.hp() + ky) * gr.wp() + kx + q0, len);
                        }
                    }
                }
                openblas_nolapack.cblas_sgemm(ROW, NO, NO, o, len, gr.ck(), 1f, pw, gr.ck(),
                        new FloatPointer(pcol).position(q0), q, 0f, new FloatPointer(py).position(q0), q);
                FloatBuffer out = py.asBuffer();
                float[] wide = workerScratch.get().heapFloats(5, len);
                for (int oc = 0; oc < o; oc++) {
                    out.get(oc * q + q0, wide, 0, len);
                    float b = bias == null ? 0f : bias[oc];
                    int dst = yOff + oc * p + oy0 * g.outW();
                    for (int oy = oy0, src = 0; oy < oy1; oy++, dst += g.outW(), src += gr.wp()) {
                        for (int ox = 0; ox < g.outW(); ox++) {
                            y[dst + ox] = wide[src + ox] + b;
                        }
                    }
                }
            });
        }
    }

    /** dx for examples [from, to) and this range's share of dW (overwritten). */
    static void backward(Scratch s, float[] x, float[] w, float[] dy, int from, int to, int c, int o, ConvGeometry g,
                         float[] dx, float[] dw, int maxColumnFloats) {
        int n = to - from;
        Grid gr = Grid.of(c, g);
        int inPer = c * g.inH() * g.inW();
        int p = g.outH() * g.outW();
        int chunk = (int) Math.max(1, Math.min(n, maxColumnFloats / Math.max(1L, (long) gr.ck() * gr.q())));
        FloatPointer pcol = s.floats(1, (long) gr.ck() * chunk * gr.q());
        FloatPointer pdy = s.floats(2, (long) o * chunk * gr.q());
        FloatPointer pdw = s.floats(3, (long) o * gr.ck());
        FloatBuffer cols = pcol.asBuffer();
        float[] padded = s.heapFloats(3, gr.paddedSize());
        Arrays.fill(padded, 0, gr.paddedSize(), 0f);
        float[] wide = s.heapFloats(1, o * chunk * gr.q());
        FloatPointer pw = null;
        FloatPointer pdcol = null;
        float[] dpadded = null;
        float[] row = null;
        if (dx != null) {
            pw = s.layouts.copy(w, o, gr.ck());
            pdcol = s.floats(4, (long) gr.ck() * chunk * gr.q());
            dpadded = s.heapFloats(4, gr.paddedSize());
            row = s.heapFloats(5, gr.q());
        }
        for (int first = from; first < to; first += chunk) {
            int m = Math.min(chunk, to - first);
            int ld = m * gr.q();
            Arrays.fill(wide, 0, o * ld, 0f);
            for (int i = 0; i < m; i++) {
                gr.pad(x, (first + i) * inPer, padded);
                gr.columns(padded, cols, i * gr.q(), ld);
                for (int oc = 0; oc < o; oc++) {
                    int src = ((first + i) * o + oc) * p;
                    int dst = oc * ld + i * gr.q();
                    for (int oy = 0; oy < g.outH(); oy++, src += g.outW(), dst += gr.wp()) {
                        System.arraycopy(dy, src, wide, dst, g.outW());
                    }
                }
            }
            pdy.put(wide, 0, o * ld);
            openblas_nolapack.cblas_sgemm(ROW, NO, TRANS, o, gr.ck(), ld, 1f, pdy, ld, pcol, ld, first == from ? 0f : 1f,
                    pdw, gr.ck());
            if (dx != null) {
                openblas_nolapack.cblas_sgemm(ROW, TRANS, NO, gr.ck(), ld, o, 1f, pw, gr.ck(), pdy, ld, 0f, pdcol, ld);
                FloatBuffer dcols = pdcol.asBuffer();
                for (int i = 0; i < m; i++) {
                    Arrays.fill(dpadded, 0, gr.paddedSize(), 0f);
                    int r = 0;
                    for (int ic = 0; ic < c; ic++) {
                        for (int ky = 0; ky < gr.kh(); ky++) {
                            for (int kx = 0; kx < gr.kw(); kx++, r++) {
                                dcols.get(r * ld + i * gr.q(), row, 0, gr.q());
                                int base = (ic * gr.hp() + ky) * gr.wp() + kx;
                                for (int j = 0; j < gr.q(); j++) {
                                    dpadded[base + j] += row[j];
                                }
                            }
                        }
                    }
                    unpad(gr, dpadded, dx, (first + i) * inPer);
                }
            }
        }
        pdw.get(dw, 0, o * gr.ck());
    }

    /** dx example = the interior of the padded gradient (the border received only padding's share). */
    private static void unpad(Grid gr, float[] padded, float[] dx, int off) {
        for (int ic = 0; ic < gr.c(); ic++) {
            for (int iy = 0; iy < gr.h(); iy++) {
                int py = iy + gr.padTop();
                int rowOff = off + (ic * gr.h() + iy) * gr.w();
                if (py < 0 || py >= gr.hp()) {
                    Arrays.fill(dx, rowOff, rowOff + gr.w(), 0f);
                    continue;
                }
                for (int ix = 0; ix < gr.w(); ix++) {
                    int px = ix + gr.padLeft();
                    dx[rowOff + ix] = px >= 0 && px < gr.wp() ? padded[(ic * gr.hp() + py) * gr.wp() + px] : 0f;
                }
            }
        }
    }
}
