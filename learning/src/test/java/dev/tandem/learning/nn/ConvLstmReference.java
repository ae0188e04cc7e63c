package dev.tandem.learning.nn;

/**
 * A hand-written ConvLSTM encoder–forecaster for tests: per example, direct convolution loops in double, written
 * from ALGORITHMS.md §2.1 independently of the engine (no Backend). With {@code peepholes} false the peephole terms
 * are left out entirely — the cell of Keras ConvLSTM2D and of the popular PyTorch implementation.
 */
final class ConvLstmReference {
    private ConvLstmReference() {
    }

    /** Per-cell weights as host arrays: w [4Ch, in + Ch, k, k], b [4Ch], peep [3, Ch]. */
    record Cell(int in, int ch, int k, double[] w, double[] b, double[] peep) {
        static Cell of(ConvLstmCell c) {
            return new Cell(c.inputChannels(), c.hiddenChannels(), c.kernel(), c.weight().value().toDoubleArray(),
                    c.bias().value().toDoubleArray(), c.peephole().value().toDoubleArray());
        }
    }

    /** Forecast of one example x [T, C, H, W] → [k, Cout, H, W]. */
    static double[] forecast(ConvLstm layer, double[] x, int frames, int channels, int height, int width,
                             boolean peepholes) {
        ConvLstmSpec spec = (ConvLstmSpec) layer.spec();
        int layers = spec.layers();
        int s = height * width;
        double[][] h = new double[layers][];
        double[][] c = new double[layers][];
        for (int l = 0; l < layers; l++) {
            h[l] = new double[spec.hidden()[l] * s];
            c[l] = new double[spec.hidden()[l] * s];
        }
        for (int t = 0; t < frames; t++) {
            double[] below = java.util.Arrays.copyOfRange(x, t * channels * s, (t + 1) * channels * s);
            for (int l = 0; l < layers; l++) {
                step(Cell.of(layer.encoderCell(l)), below, h, c, l, height, width, peepholes);
                below = h[l];
            }
        }
        int k = spec.horizon();
        int cout = spec.outputChannels();
        int sum = spec.hiddenSum();
        double[] ow = layer.outputWeight().value().toDoubleArray();
        double[] ob = layer.outputBias().value().toDoubleArray();
        double[] out = new double[k * cout * s];
        for (int j = 0; j < k; j++) {
            double[] below = new double[0];
            double[] cat = new double[sum * s];
            int off = 0;
            for (int l = 0; l < layers; l++) {
                step(Cell.of(layer.forecasterCell(l)), below, h, c, l, height, width, peepholes);
                below = h[l];
                System.arraycopy(h[l], 0, cat, off * s, h[l].length);
                off += spec.hidden()[l];
            }
            for (int o = 0; o < cout; o++) {
                for (int p = 0; p < s; p++) {
                    double v = ob[o];
                    for (int q = 0; q < sum; q++) {
                        v += ow[o * sum + q] * cat[q * s + p];
                    }
                    out[(j * cout + o) * s + p] = v;
                }
            }
        }
        return out;
    }

    private static void step(Cell cell, double[] x, double[][] hs, double[][] cs, int l, int height, int width,
                             boolean peepholes) {
        int ch = cell.ch();
        int s = height * width;
        double[] hPrev = hs[l];
        double[] cPrev = cs[l];
        double[] xh = new double[(cell.in() + ch) * s];
        System.arraycopy(x, 0, xh, 0, cell.in() * s);
        System.arraycopy(hPrev, 0, xh, cell.in() * s, ch * s);
        double[] z = conv(cell.w(), cell.b(), 4 * ch, cell.in() + ch, cell.k(), xh, height, width);
        double[] h = new double[ch * s];
        double[] c = new double[ch * s];
        for (int q = 0; q < ch; q++) {
            double wci = peepholes ? cell.peep()[q] : 0;
            double wcf = peepholes ? cell.peep()[ch + q] : 0;
            double wco = peepholes ? cell.peep()[2 * ch + q] : 0;
            for (int p = 0; p < s; p++) {
                int e = q * s + p;
                double cp = cPrev[e];
                double i = sigmoid(z[e] + (peepholes ? wci * cp : 0));
                double f = sigmoid(z[ch * s + e] + (peepholes ? wcf * cp : 0));
                double g = Math.tanh(z[2 * ch * s + e]);
                c[e] = f * cp + i * g;
                double o = sigmoid(z[3 * ch * s + e] + (peepholes ? wco * c[e] : 0));
                h[e] = o * Math.tanh(c[e]);
            }
        }
        hs[l] = h;
        cs[l] = c;
    }

    /** Same-padded (symmetric, odd k) stride-1 convolution of one example. */
    static double[] conv(double[] w, double[] b, int out, int in, int k, double[] x, int height, int width) {
        int pad = (k - 1) / 2;
        double[] y = new double[out * height * width];
        for (int o = 0; o < out; o++) {
            for (int r = 0; r < height; r++) {
                for (int q = 0; q < width; q++) {
                    double v = b[o];
                    for (int ci = 0; ci < in; ci++) {
                        for (int kr = 0; kr < k; kr++) {
                            int rr = r + kr - pad;
                            if (rr < 0 || rr >= height) {
                                continue;
                            }
                            for (int kq = 0; kq < k; kq++) {
                                int qq = q + kq - pad;
                                if (qq >= 0 && qq < width) {
                                    v += w[((o * in + ci) * k + kr) * k + kq] * x[(ci * height + rr) * width + qq];
                                }
                            }
                        }
                    }
                    y[(o * height + r) * width + q] = v;
                }
            }
        }
        return y;
    }

    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
