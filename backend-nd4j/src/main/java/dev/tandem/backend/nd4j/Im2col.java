package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;

import java.util.Arrays;

/**
 * im2col and its adjoint for one NCHW example, on heap arrays. The column matrix has rows (c, ky, kx) and columns
 * (oy, ox) — [C·kH·kW, outH·outW] row-major — so that y = W[O, C·kH·kW] · col. Window (oy, ox) reads input row
 * oy·strideH − padTop + ky and column ox·strideW − padLeft + kx; reads outside the input are zeros. Any padding
 * (asymmetric, SAME with the odd cell at the bottom/right, even negative) follows from those two numbers.
 */
final class Im2col {
    private Im2col() {
    }

    /** First ox whose column ox·s − pad + k is ≥ 0. */
    private static int firstOx(int s, int pad, int k) {
        return Math.max(0, -Math.floorDiv(k - pad, s));
    }

    /** One past the last ox whose column is < w, at most out. */
    private static int endOx(int s, int pad, int k, int w, int out) {
        return Math.max(0, Math.min(out, Math.floorDiv(w - 1 + pad - k, s) + 1));
    }

    static void im2col(float[] x, int xOff, int c, int h, int w, ConvGeometry g, float[] col) {
        im2col(x, xOff, c, h, w, g, col, 0, g.outH() * g.outW());
    }

    /**
     * Like {@link #im2col(float[], int, int, int, int, ConvGeometry, float[])}, but row r of the column matrix starts
     * at colOff + r·ld: several examples side by side in one wide matrix, [C·kH·kW, examples·outH·outW].
     */
    static void im2col(float[] x, int xOff, int c, int h, int w, ConvGeometry g, float[] col, int colOff, int ld) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sh = g.strideH();
        int sw = g.strideW();
        int oh = g.outH();
        int ow = g.outW();
        int r = 0;
        for (int ic = 0; ic < c; ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, r++) {
                    int o = colOff + r * ld;
                    int lo = firstOx(sw, g.padLeft(), kx);
                    int hi = Math.max(lo, endOx(sw, g.padLeft(), kx, w, ow));
                    int shift = kx - g.padLeft();
                    for (int oy = 0; oy < oh; oy++, o += ow) {
                        int iy = oy * sh - g.padTop() + ky;
                        if (iy < 0 || iy >= h || lo >= ow) {
                            Arrays.fill(col, o, o + ow, 0f);
                            continue;
                        }
                        int row = xOff + (ic * h + iy) * w + shift;
                        if (lo > 0) {
                            Arrays.fill(col, o, o + lo, 0f);
                        }
                        if (sw == 1) {
                            System.arraycopy(x, row + lo, col, o + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[o + ox] = x[row + ox * sw];
                            }
                        }
                        if (hi < ow) {
                            Arrays.fill(col, o + hi, o + ow, 0f);
                        }
                    }
                }
            }
        }
    }

    static void im2col(double[] x, int xOff, int c, int h, int w, ConvGeometry g, double[] col) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sh = g.strideH();
        int sw = g.strideW();
        int oh = g.outH();
        int ow = g.outW();
        int o = 0;
        for (int ic = 0; ic < c; ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int lo = firstOx(sw, g.padLeft(), kx);
                    int hi = Math.max(lo, endOx(sw, g.padLeft(), kx, w, ow));
                    int shift = kx - g.padLeft();
                    for (int oy = 0; oy < oh; oy++, o += ow) {
                        int iy = oy * sh - g.padTop() + ky;
                        if (iy < 0 || iy >= h || lo >= ow) {
                            Arrays.fill(col, o, o + ow, 0.0);
                            continue;
                        }
                        int row = xOff + (ic * h + iy) * w + shift;
                        if (lo > 0) {
                            Arrays.fill(col, o, o + lo, 0.0);
                        }
                        if (sw == 1) {
                            System.arraycopy(x, row + lo, col, o + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[o + ox] = x[row + ox * sw];
                            }
                        }
                        if (hi < ow) {
                            Arrays.fill(col, o + hi, o + ow, 0.0);
                        }
                    }
                }
            }
        }
    }

    /** dx[example] += col2im(col); the caller zeroes dx first. */
    static void col2imAdd(float[] col, float[] dx, int dxOff, int c, int h, int w, ConvGeometry g) {
        col2imAdd(col, 0, g.outH() * g.outW(), dx, dxOff, c, h, w, g);
    }

    /** The adjoint of the wide {@link #im2col(float[], int, int, int, int, ConvGeometry, float[], int, int)}. */
    static void col2imAdd(float[] col, int colOff, int ld, float[] dx, int dxOff, int c, int h, int w, ConvGeometry g) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sh = g.strideH();
        int sw = g.strideW();
        int oh = g.outH();
        int ow = g.outW();
        int r = 0;
        for (int ic = 0; ic < c; ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, r++) {
                    int o = colOff + r * ld;
                    int lo = firstOx(sw, g.padLeft(), kx);
                    int hi = endOx(sw, g.padLeft(), kx, w, ow);
                    int shift = kx - g.padLeft();
                    for (int oy = 0; oy < oh; oy++, o += ow) {
                        int iy = oy * sh - g.padTop() + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int row = dxOff + (ic * h + iy) * w + shift;
                        if (sw == 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[row + ox] += col[o + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[row + ox * sw] += col[o + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    static void col2imAdd(double[] col, double[] dx, int dxOff, int c, int h, int w, ConvGeometry g) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sh = g.strideH();
        int sw = g.strideW();
        int oh = g.outH();
        int ow = g.outW();
        int o = 0;
        for (int ic = 0; ic < c; ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int lo = firstOx(sw, g.padLeft(), kx);
                    int hi = endOx(sw, g.padLeft(), kx, w, ow);
                    int shift = kx - g.padLeft();
                    for (int oy = 0; oy < oh; oy++, o += ow) {
                        int iy = oy * sh - g.padTop() + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int row = dxOff + (ic * h + iy) * w + shift;
                        if (sw == 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[row + ox] += col[o + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[row + ox * sw] += col[o + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
