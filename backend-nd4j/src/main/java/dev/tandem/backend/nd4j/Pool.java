package dev.tandem.backend.nd4j;

import dev.tandem.learning.tensor.ConvGeometry;

import java.util.Arrays;

/**
 * Max pooling on primitive arrays, the reference algorithm exactly: no padding, each window's first maximal element
 * in row-major order (strictly greater replaces), backward routes dy there and sums where windows overlap.
 */
final class Pool {
    private Pool() {
    }

    /** Planes [from, to) only: disjoint ranges can run in parallel. */
    static void forward(float[] x, int from, int to, int h, int w, ConvGeometry g, float[] y) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = from * g.outH() * g.outW();
        for (int p = from; p < to; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    float best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            float v = x[i];
                            best = v > best ? v : best; // not Math.max: a NaN after the first element is skipped
                        }
                    }
                    y[o++] = best;
                }
            }
        }
    }

    /**
     * Non-overlapping 1-D windows (H = kernelH = 1, kernelW = strideW = k), planes [from, to): the reference's
     * result in one pass without the general loop's window bookkeeping.
     */
    static boolean isNonOverlapping1d(int h, ConvGeometry g) {
        return h == 1 && g.kernelH() == 1 && g.outH() == 1 && g.kernelW() == g.strideW();
    }

    static void forward1d(float[] x, int from, int to, int w, int k, int ow, float[] y) {
        if (k == 2) {
            // rows without a remainder (w = 2·ow) are one run of windows: one loop over every plane of the range
            int rows = w == 2 * ow ? 1 : to - from;
            int run = w == 2 * ow ? (to - from) * ow : ow;
            for (int p = 0; p < rows; p++) {
                for (int i = (from + p) * w, o = (from + p) * ow, end = o + run; o < end; o++, i += 2) {
                    // b > a ? b : a without a branch (C2 compiles a float select to a jump on x86, mispredicted
                    // half the time on random data): an int mask, which becomes a conditional move
                    float a = x[i];
                    float b = x[i + 1];
                    int m = b > a ? -1 : 0;
                    y[o] = Float.intBitsToFloat(Float.floatToRawIntBits(b) & m | Float.floatToRawIntBits(a) & ~m);
                }
            }
            return;
        }
        for (int p = from; p < to; p++) {
            for (int i = p * w, o = p * ow, end = o + ow; o < end; o++, i += k) {
                float best = x[i];
                for (int j = i + 1; j < i + k; j++) {
                    float v = x[j];
                    best = v > best ? v : best;
                }
                y[o] = best;
            }
        }
    }

    /** The adjoint of {@link #forward1d}: dy to each window's first maximum, 0 elsewhere (dx overwritten). */
    static void backward1d(float[] x, int from, int to, int w, int k, int ow, float[] dy, float[] dx) {
        if (k == 2 && w == 2 * ow) {
            // no remainder: one run of windows over every plane of the range, as in forward1d
            for (int i = from * w, o = from * ow, end = to * ow; o < end; o++, i += 2) {
                int m = x[i + 1] > x[i] ? -1 : 0;
                int d = Float.floatToRawIntBits(0f + dy[o]);
                dx[i] = Float.intBitsToFloat(d & ~m);
                dx[i + 1] = Float.intBitsToFloat(d & m);
            }
            return;
        }
        for (int p = from; p < to; p++) {
            int i = p * w;
            int o = p * ow;
            if (k == 2) {
                for (int end = o + ow; o < end; o++, i += 2) {
                    int m = x[i + 1] > x[i] ? -1 : 0; // branch-free, as in forward1d
                    int d = Float.floatToRawIntBits(0f + dy[o]); // the reference adds dy to a zeroed dx
                    dx[i] = Float.intBitsToFloat(d & ~m);
                    dx[i + 1] = Float.intBitsToFloat(d & m);
                }
            } else {
                for (int end = o + ow; o < end; o++, i += k) {
                    int at = i;
                    float best = x[i];
                    for (int j = i + 1; j < i + k; j++) {
                        float v = x[j];
                        boolean better = v > best;
                        at = better ? j : at;
                        best = better ? v : best;
                    }
                    for (int j = i; j < i + k; j++) {
                        dx[j] = 0f;
                    }
                    dx[at] = 0f + dy[o];
                }
            }
            Arrays.fill(dx, i, (p + 1) * w, 0f); // the remainder no window reads
        }
    }

    /** 2×2 windows with stride 2 in both directions (the toolkit CNN's pools): {@link #forward2x2}. */
    static boolean isNonOverlapping2x2(ConvGeometry g) {
        return g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2;
    }

    /** Branch-free bit select: b where m is −1, a where m is 0. */
    private static float select(int m, float b, float a) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(b) & m | Float.floatToRawIntBits(a) & ~m);
    }

    /**
     * 2×2 stride-2 windows, planes [from, to): the reference's first maximum in row-major order (a, b above c, d;
     * strictly greater replaces), as int-mask selects rather than float compares and jumps (see {@link #forward1d}).
     */
    static void forward2x2(float[] x, int from, int to, int h, int w, int oh, int ow, float[] y) {
        for (int p = from; p < to; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = p * h * w + 2 * oy * w;
                int r1 = r0 + w;
                for (int ox = 0, o = (p * oh + oy) * ow; ox < ow; ox++, o++) {
                    int i = 2 * ox;
                    float best = x[r0 + i];
                    float b = x[r0 + i + 1];
                    best = select(b > best ? -1 : 0, b, best);
                    float c = x[r1 + i];
                    best = select(c > best ? -1 : 0, c, best);
                    float d = x[r1 + i + 1];
                    y[o] = select(d > best ? -1 : 0, d, best);
                }
            }
        }
    }

    /**
     * The adjoint of {@link #forward2x2}, planes [from, to): dy to each window's first maximum, 0 at the window's
     * other three cells and at the cells no window reads (dx overwritten).
     */
    static void backward2x2(float[] x, int from, int to, int h, int w, int oh, int ow, float[] dy, float[] dx) {
        if (h != 2 * oh || w != 2 * ow) {
            Arrays.fill(dx, from * h * w, to * h * w, 0f); // a remainder row or column that no window reads
        }
        for (int p = from; p < to; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = p * h * w + 2 * oy * w;
                int r1 = r0 + w;
                for (int ox = 0, o = (p * oh + oy) * ow; ox < ow; ox++, o++) {
                    int i = 2 * ox;
                    float best = x[r0 + i];
                    float b = x[r0 + i + 1];
                    int mb = b > best ? -1 : 0;
                    best = select(mb, b, best);
                    float c = x[r1 + i];
                    int mc = c > best ? -1 : 0;
                    best = select(mc, c, best);
                    int md = x[r1 + i + 1] > best ? -1 : 0;
                    // the winner: d if md, else c if mc, else b if mb, else a
                    int wd = md;
                    int wc = mc & ~md;
                    int wb = mb & ~mc & ~md;
                    int wa = ~(mb | mc | md);
                    int g = Float.floatToRawIntBits(0f + dy[o]); // the reference adds dy to a zeroed dx
                    dx[r0 + i] = Float.intBitsToFloat(g & wa);
                    dx[r0 + i + 1] = Float.intBitsToFloat(g & wb);
                    dx[r1 + i] = Float.intBitsToFloat(g & wc);
                    dx[r1 + i + 1] = Float.intBitsToFloat(g & wd);
                }
            }
        }
    }

    static void forward(double[] x, int planes, int h, int w, ConvGeometry g, double[] y) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    double best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            double v = x[i];
                            best = v > best ? v : best; // not Math.max: a NaN after the first element is skipped
                        }
                    }
                    y[o++] = best;
                }
            }
        }
    }

    /** Planes [from, to) only (their part of dx is zeroed first): disjoint ranges can run in parallel. */
    static void backward(float[] x, int from, int to, int h, int w, ConvGeometry g, float[] dy, float[] dx) {
        Arrays.fill(dx, from * h * w, to * h * w, 0f);
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = from * g.outH() * g.outW();
        for (int p = from; p < to; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    int at = start;
                    float best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            float v = x[i];
                            boolean better = v > best;
                            at = better ? i : at;
                            best = better ? v : best;
                        }
                    }
                    dx[at] += dy[o++];
                }
            }
        }
    }

    static void backward(double[] x, int planes, int h, int w, ConvGeometry g, double[] dy, double[] dx) {
        Arrays.fill(dx, 0.0);
        int kh = g.kernelH();
        int kw = g.kernelW();
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = base + oy * g.strideH() * w;
                for (int ox = 0; ox < g.outW(); ox++) {
                    int start = rowBase + ox * g.strideW();
                    int at = start;
                    double best = x[start];
                    for (int ky = 0; ky < kh; ky++) {
                        for (int i = start + ky * w, end = i + kw; i < end; i++) {
                            double v = x[i];
                            boolean better = v > best;
                            at = better ? i : at;
                            best = better ? v : best;
                        }
                    }
                    dx[at] += dy[o++];
                }
            }
        }
    }
}
