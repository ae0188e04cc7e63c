package dev.tandem.learning.backend;

import dev.tandem.learning.tensor.ConvGeometry;

/** Reference convolution and max pooling by direct summation over NCHW tensors. */
final class JavaConv {
    private JavaConv() {
    }

    static void forward(Buf x, int[] xs, Buf w, int[] ws, Buf bias, ConvGeometry g, Buf y) {
        int n = xs[0];
        int c = xs[1];
        int h = xs[2];
        int wd = xs[3];
        int o = ws[0];
        checkWeights(ws, c, g);
        int oh = g.outH();
        int ow = g.outW();
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                double bv = bias == null ? 0 : bias.get(oc);
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bv;
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = oy * g.strideH() - g.padTop() + ky;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                int xo = ((b * c + ic) * h + iy) * wd;
                                int wo = ((oc * c + ic) * g.kernelH() + ky) * g.kernelW();
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx;
                                    if (ix >= 0 && ix < wd) {
                                        s += x.get(xo + ix) * w.get(wo + kx);
                                    }
                                }
                            }
                        }
                        y.set(((b * o + oc) * oh + oy) * ow + ox, s);
                    }
                }
            }
        }
    }

    static void backward(Buf x, int[] xs, Buf w, int[] ws, Buf dy, ConvGeometry g, Buf dx, Buf dw) {
        int n = xs[0];
        int c = xs[1];
        int h = xs[2];
        int wd = xs[3];
        int o = ws[0];
        checkWeights(ws, c, g);
        int oh = g.outH();
        int ow = g.outW();
        double[] dwAcc = new double[dw.length()];
        double[] dxAcc = dx == null ? null : new double[dx.length()];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double d = dy.get(((b * o + oc) * oh + oy) * ow + ox);
                        if (d == 0) {
                            continue;
                        }
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = oy * g.strideH() - g.padTop() + ky;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                int xo = ((b * c + ic) * h + iy) * wd;
                                int wo = ((oc * c + ic) * g.kernelH() + ky) * g.kernelW();
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx;
                                    if (ix >= 0 && ix < wd) {
                                        dwAcc[wo + kx] += d * x.get(xo + ix);
                                        if (dxAcc != null) {
                                            dxAcc[xo + ix] += d * w.get(wo + kx);
                                        }
                                    }
                                }
                            }
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
