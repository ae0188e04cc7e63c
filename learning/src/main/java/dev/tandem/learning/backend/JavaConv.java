package dev.tandem.learning.backend;

import dev.tandem.learning.tensor.ConvGeometry;

/** Reference convolution and max pooling by direct summation over NCHW tensors. */
final class JavaConv {
    private JavaConv() {
    }

    /*
     * Both passes add each output's (and each gradient's) terms in the order of a direct summation over (input
     * channel, kernel row, kernel column), in double precision, skipping the terms that fall on padding, so the
     * reference's values do not depend on how the loops are arranged. They are arranged around a table of each
     * output position's valid terms (Taps), which takes the bounds tests out of the inner loops: the rainfall
     * ConvLSTMs trained in the tests have grids of a few cells, where those tests cost more than the arithmetic.
     */

    static void forward(Buf x, int[] xs, Buf w, int[] ws, Buf bias, ConvGeometry g, Buf y) {
        Taps taps = Taps.of(xs, ws, g);
        int n = xs[0];
        int o = ws[0];
        int inSize = taps.inSize();
        int perFilter = taps.perFilter();
        int positions = taps.positions();
        double[] xa = doubles(x);
        double[] wa = doubles(w);
        double[] ba = bias == null ? new double[o] : doubles(bias);
        double[] patch = new double[perFilter];
        for (int b = 0; b < n; b++) {
            int xb = b * inSize;
            for (int p = 0; p < positions; p++) {
                int from = taps.start[p];
                int count = taps.start[p + 1] - from;
                for (int t = 0; t < count; t++) {
                    patch[t] = xa[xb + taps.input[from + t]];
                }
                int oc = 0;
                // four filters at a time: four independent sums keep the adder busy, each in its own order
                for (; oc + 4 <= o; oc += 4) {
                    int w0 = oc * perFilter;
                    int w1 = w0 + perFilter;
                    int w2 = w1 + perFilter;
                    int w3 = w2 + perFilter;
                    double s0 = ba[oc];
                    double s1 = ba[oc + 1];
                    double s2 = ba[oc + 2];
                    double s3 = ba[oc + 3];
                    for (int t = 0; t < count; t++) {
                        double v = patch[t];
                        int k = taps.weight[from + t];
                        s0 += v * wa[w0 + k];
                        s1 += v * wa[w1 + k];
                        s2 += v * wa[w2 + k];
                        s3 += v * wa[w3 + k];
                    }
                    int yo = (b * o + oc) * positions + p;
                    y.set(yo, s0);
                    y.set(yo + positions, s1);
                    y.set(yo + 2 * positions, s2);
                    y.set(yo + 3 * positions, s3);
                }
                for (; oc < o; oc++) {
                    int wb = oc * perFilter;
                    double s = ba[oc];
                    for (int t = 0; t < count; t++) {
                        s += patch[t] * wa[wb + taps.weight[from + t]];
                    }
                    y.set((b * o + oc) * positions + p, s);
                }
            }
        }
    }

    static void backward(Buf x, int[] xs, Buf w, int[] ws, Buf dy, ConvGeometry g, Buf dx, Buf dw) {
        Taps taps = Taps.of(xs, ws, g);
        int n = xs[0];
        int o = ws[0];
        int inSize = taps.inSize();
        int perFilter = taps.perFilter();
        int positions = taps.positions();
        double[] xa = doubles(x);
        double[] wa = doubles(w);
        double[] dwAcc = new double[dw.length()];
        double[] dxAcc = dx == null ? null : new double[dx.length()];
        // a weight's terms arrive in (sample, output position) order, an input's in (output channel, position)
        for (int b = 0; b < n; b++) {
            int xb = b * inSize;
            for (int oc = 0; oc < o; oc++) {
                int wb = oc * perFilter;
                for (int p = 0; p < positions; p++) {
                    double d = dy.get((b * o + oc) * positions + p);
                    if (d == 0) {
                        continue;
                    }
                    for (int t = taps.start[p], end = taps.start[p + 1]; t < end; t++) {
                        int xi = xb + taps.input[t];
                        int wi = wb + taps.weight[t];
                        dwAcc[wi] += d * xa[xi];
                        if (dxAcc != null) {
                            dxAcc[xi] += d * wa[wi];
                        }
                    }
                }
            }
        }
        for (int i = 0; i < dwAcc.length; i++) {
            dw.set(i, dwAcc[i]);
        }
        if (dxAcc != null) {
            for (int i = 0; i < dxAcc.length; i++) {
                dx.set(i, dxAcc[i]);
            }
        }
    }

    /**
     * For each output position p (row-major), the terms that fall inside the input, in (input channel, kernel row,
     * kernel column) order: {@code input[t]} indexes one sample's input, {@code weight[t]} one filter, for t in
     * {@code [start[p], start[p + 1])}; with the sizes the loops step by (one sample's input, one filter, the
     * output positions).
     */
    private record Taps(int[] start, int[] input, int[] weight, int inSize, int perFilter, int positions) {
        static Taps of(int[] xs, int[] ws, ConvGeometry g) {
            int c = xs[1];
            checkWeights(ws, c, g);
            int h = xs[2];
            int wd = xs[3];
            int kh = g.kernelH();
            int kw = g.kernelW();
            int positions = g.outH() * g.outW();
            int[] start = new int[positions + 1];
            int[] input = new int[positions * c * kh * kw];
            int[] weight = new int[input.length];
            int t = 0;
            for (int oy = 0, p = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++, p++) {
                    start[p] = t;
                    for (int ic = 0; ic < c; ic++) {
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * g.strideH() - g.padTop() + ky;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * g.strideW() - g.padLeft() + kx;
                                if (ix >= 0 && ix < wd) {
                                    input[t] = (ic * h + iy) * wd + ix;
                                    weight[t] = (ic * kh + ky) * kw + kx;
                                    t++;
                                }
                            }
                        }
                    }
                }
            }
            start[positions] = t;
            return new Taps(start, input, weight, c * h * wd, c * kh * kw, positions);
        }
    }

    private static double[] doubles(Buf b) {
        if (b instanceof Buf.F64 d) {
            return d.a;
        }
        float[] f = ((Buf.F32) b).a;
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    static void maxPoolForward(Buf x, int[] xs, ConvGeometry g, Buf y) {
        int planes = xs[0] * xs[1];
        int h = xs[2];
        int wd = xs[3];
        int oh = g.outH();
        int ow = g.outW();
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    y.set((p * oh + oy) * ow + ox, x.get(argMax(x, p, h, wd, g, oy, ox)));
                }
            }
        }
    }

    static void maxPoolBackward(Buf x, int[] xs, Buf dy, ConvGeometry g, Buf dx) {
        int planes = xs[0] * xs[1];
        int h = xs[2];
        int wd = xs[3];
        int oh = g.outH();
        int ow = g.outW();
        for (int i = 0, len = dx.length(); i < len; i++) {
            dx.set(i, 0);
        }
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int at = argMax(x, p, h, wd, g, oy, ox);
                    dx.set(at, dx.get(at) + dy.get((p * oh + oy) * ow + ox));
                }
            }
        }
    }

    /** Index of the first maximal element of a pooling window. */
    private static int argMax(Buf x, int plane, int h, int wd, ConvGeometry g, int oy, int ox) {
        int best = -1;
        double bestV = Double.NEGATIVE_INFINITY;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            int iy = oy * g.strideH() + ky;
            for (int kx = 0; kx < g.kernelW(); kx++) {
                int ix = ox * g.strideW() + kx;
                int idx = (plane * h + iy) * wd + ix;
                double v = x.get(idx);
                if (best < 0 || v > bestV) {
                    best = idx;
                    bestV = v;
                }
            }
        }
        return best;
    }

    private static void checkWeights(int[] ws, int c, ConvGeometry g) {
        if (ws[1] != c || ws[2] != g.kernelH() || ws[3] != g.kernelW()) {
            throw new IllegalArgumentException("conv weights [" + ws[0] + "," + ws[1] + "," + ws[2] + "," + ws[3]
                    + "] do not match " + c + " input channels and kernel " + g.kernelH() + "x" + g.kernelW());
        }
    }
}
