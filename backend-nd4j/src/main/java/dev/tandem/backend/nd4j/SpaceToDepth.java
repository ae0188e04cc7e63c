package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;

/**
 * A strided convolution rewritten as a stride-1 one, so that it runs on {@link ShiftedConv}'s example-parallel path
 * (space-to-depth). With strides sH×sW, input channel c becomes sH·sW channels (c, ry, rx), each holding the
 * phase-(ry, rx) samples of the zero-padded input:
 * <pre>
 *   x'[(c, ry, rx), ty, tx] = x[c, ty·sH + ry − padTop, tx·sW + rx − padLeft]      (0 outside the input)
 *   w'[o, (c, ry, rx), jy, jx] = w[o, c, jy·sH + ry, jx·sW + rx]                   (0 past the kernel)
 * </pre>
 * and y = conv(x, w, strides sH×sW) equals the VALID stride-1 convolution of x' [C·sH·sW, outH + kH' − 1,
 * outW + kW' − 1] with w' [O, C·sH·sW, kH', kW'], kH' = ⌈kH/sH⌉, kW' = ⌈kW/sW⌉: tap (ky, kx) = (jy·sH + ry,
 * jx·sW + rx) of output (oy, ox) reads x at row (oy + jy)·sH + ry − padTop, which is x'[(c, ry, rx), oy + jy, ·].
 * Every padding (SAME with the odd cell at the end, VALID, hand-made and negative pads) follows from padTop and
 * padLeft, exactly as in {@link Im2col}.
 *
 * <p>The gradients map back the same way: dW[o, c, ky, kx] = dW'[o, (c, ky mod sH, kx mod sW), ky / sH, kx / sW],
 * and dx[c, iy, ix] = dx'[(c, (iy + padTop) mod sH, (ix + padLeft) mod sW), (iy + padTop) / sH,
 * (ix + padLeft) / sW] where that cell exists (an input cell no window reads gets 0).
 *
 * <p>The rewrite pays off when the kernel is a multiple of the stride (W3's first convolution: width 64, stride 16,
 * four taps of 64 channels); otherwise w' holds zero taps, and {@link #applies} refuses more than
 * {@link #MAX_ZERO_TAP_SHARE} of them.
 */
final class SpaceToDepth {
    /** At most this share of w' may be padding taps (kernel 3 stride 2 in 2-D: 7/16; 1-D: 1/4). */
    static final double MAX_ZERO_TAP_SHARE = 0.25;

    final ConvGeometry g;
    /** The stride-1 VALID geometry of the rewritten convolution. */
    final ConvGeometry g1;
    final int c;
    /** Channels of x': c·sH·sW. */
    final int c1;
    private final int sh;
    private final int sw;

    SpaceToDepth(int c, ConvGeometry g) {
        this.g = g;
        this.c = c;
        this.sh = g.strideH();
        this.sw = g.strideW();
        int kh1 = ceilDiv(g.kernelH(), sh);
        int kw1 = ceilDiv(g.kernelW(), sw);
        this.c1 = c * sh * sw;
        this.g1 = new ConvGeometry(g.outH() + kh1 - 1, g.outW() + kw1 - 1, kh1, kw1, 1, 1, 0, 0, g.outH(), g.outW());
    }

    /** A stride above 1 and few enough zero taps in w'. */
    static boolean applies(ConvGeometry g) {
        int sh = g.strideH();
        int sw = g.strideW();
        if (sh == 1 && sw == 1) {
            return false;
        }
        long taps = (long) ceilDiv(g.kernelH(), sh) * sh * ceilDiv(g.kernelW(), sw) * sw;
        return g.kernelH() * g.kernelW() >= (1 - MAX_ZERO_TAP_SHARE) * taps;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Elements of one example of x'. */
    int inPer1() {
        return c1 * g1.inH() * g1.inW();
    }

    /** Elements of w' for o output channels. */
    int weights1(int o) {
        return o * c1 * g1.kernelH() * g1.kernelW();
    }

    /** x' of examples [from, to) (x' indexed by example like x). */
    void input(float[] x, int from, int to, float[] x1) {
        int h = g.inH();
        int w = g.inW();
        int h1 = g1.inH();
        int w1 = g1.inW();
        int inPer = c * h * w;
        for (int e = from; e < to; e++) {
            int dst = e * inPer1();
            for (int ic = 0; ic < c; ic++) {
                int plane = e * inPer + ic * h * w;
                for (int ry = 0; ry < sh; ry++) {
                    for (int rx = 0; rx < sw; rx++) {
                        // tx with 0 <= tx·sW + rx − padLeft < w
                        int lo = Math.min(w1, Math.max(0, ceilDivSigned(g.padLeft() - rx, sw)));
                        int hi = Math.max(lo, Math.min(w1, Math.floorDiv(w - 1 + g.padLeft() - rx, sw) + 1));
                        for (int ty = 0; ty < h1; ty++, dst += w1) {
                            int iy = ty * sh + ry - g.padTop();
                            if (iy < 0 || iy >= h) {
                                java.util.Arrays.fill(x1, dst, dst + w1, 0f);
                                continue;
                            }
                            int row = plane + iy * w + rx - g.padLeft();
                            java.util.Arrays.fill(x1, dst, dst + lo, 0f);
                            for (int tx = lo; tx < hi; tx++) {
                                x1[dst + tx] = x[row + tx * sw];
                            }
                            java.util.Arrays.fill(x1, dst + hi, dst + w1, 0f);
                        }
                    }
                }
            }
        }
    }

    /** dx of examples [from, to) from dx' (the adjoint of {@link #input}: every x cell is read at most once). */
    void inputGradient(float[] dx1, int from, int to, float[] dx) {
        int h = g.inH();
        int w = g.inW();
        int h1 = g1.inH();
        int w1 = g1.inW();
        int inPer = c * h * w;
        for (int e = from; e < to; e++) {
            for (int ic = 0; ic < c; ic++) {
                int plane = e * inPer + ic * h * w;
                for (int iy = 0; iy < h; iy++) {
                    int py = iy + g.padTop();
                    int ty = Math.floorDiv(py, sh);
                    int ry = Math.floorMod(py, sh);
                    int row = plane + iy * w;
                    if (ty < 0 || ty >= h1) {
                        java.util.Arrays.fill(dx, row, row + w, 0f);
                        continue;
                    }
                    for (int ix = 0; ix < w; ix++) {
                        int px = ix + g.padLeft();
                        int tx = Math.floorDiv(px, sw);
                        int rx = Math.floorMod(px, sw);
                        dx[row + ix] = tx >= 0 && tx < w1
                                ? dx1[e * inPer1() + (((ic * sh + ry) * sw + rx) * h1 + ty) * w1 + tx] : 0f;
                    }
                }
            }
        }
    }

    /** w' [O, C·sH·sW, kH', kW'] from w [O, C, kH, kW]. */
    void weights(float[] w, int o, float[] w1) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int kh1 = g1.kernelH();
        int kw1 = g1.kernelW();
        int at = 0;
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                int src = (oc * c + ic) * kh * kw;
                for (int ry = 0; ry < sh; ry++) {
                    for (int rx = 0; rx < sw; rx++) {
                        for (int jy = 0; jy < kh1; jy++) {
                            int ky = jy * sh + ry;
                            for (int jx = 0; jx < kw1; jx++) {
                                int kx = jx * sw + rx;
                                w1[at++] = ky < kh && kx < kw ? w[src + ky * kw + kx] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** dW [O, C, kH, kW] from dW' (the zero taps' gradients are dropped). */
    void weightGradient(float[] dw1, int o, float[] dw) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int kh1 = g1.kernelH();
        int kw1 = g1.kernelW();
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                int dst = (oc * c + ic) * kh * kw;
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int ch = (ic * sh + ky % sh) * sw + kx % sw;
                        dw[dst + ky * kw + kx] = dw1[((oc * c1 + ch) * kh1 + ky / sh) * kw1 + kx / sw];
                    }
                }
            }
        }
    }

    /** ⌈a / b⌉ for any sign of a, b > 0. */
    private static int ceilDivSigned(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
