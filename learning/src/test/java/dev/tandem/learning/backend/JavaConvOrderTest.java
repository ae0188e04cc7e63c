package dev.tandem.learning.backend;

import dev.tandem.learning.tensor.ConvGeometry;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * JavaConv promises the values of a plain direct summation, bit for bit: each output's terms in (input channel,
 * kernel row, kernel column) order, each weight gradient's in (sample, output row, output column) order, each input
 * gradient's in (output channel, output row, output column) order, padding terms and zero output gradients skipped.
 * The other backends are compared with the reference, so its rounding must not move when its loops are rearranged.
 */
class JavaConvOrderTest {
    @Test
    void forwardAndBackwardEqualADirectSummationBitForBit() {
        Random r = new Random(7);
        int checked = 0;
        while (checked < 400) {
            int n = 1 + r.nextInt(3);
            int c = 1 + r.nextInt(4);
            int o = 1 + r.nextInt(6);
            int h = 1 + r.nextInt(8);
            int wd = 1 + r.nextInt(8);
            int kh = 1 + r.nextInt(Math.min(h, 4));
            int kw = 1 + r.nextInt(Math.min(wd, 4));
            ConvGeometry g = ConvGeometry.of(h, wd, kh, kw, 1 + r.nextInt(2), 1 + r.nextInt(2),
                    r.nextBoolean() ? ConvGeometry.Padding.SAME : ConvGeometry.Padding.VALID);
            boolean f64 = r.nextBoolean();
            int[] xs = {n, c, h, wd};
            int[] ws = {o, c, kh, kw};
            int outLen = n * o * g.outH() * g.outW();
            Buf x = random(r, n * c * h * wd, f64);
            Buf w = random(r, o * c * kh * kw, f64);
            Buf bias = r.nextBoolean() ? random(r, o, f64) : null;
            Buf dy = random(r, outLen, f64);
            for (int i = 0; i < outLen; i++) {
                if (r.nextInt(4) == 0) {
                    dy.set(i, 0); // skipped, so a NaN input behind it stays out of the weight gradient
                }
            }
            if (r.nextInt(4) == 0) {
                x.set(r.nextInt(x.length()), Double.NaN);
            }
            Buf y = random(r, outLen, f64);
            JavaConv.forward(x, xs, w, ws, bias, g, y);
            Buf dx = random(r, x.length(), f64);
            Buf dw = random(r, w.length(), f64);
            JavaConv.backward(x, xs, w, ws, dy, g, dx, dw);

            String what = g + " n " + n + " c " + c + " o " + o + (f64 ? " f64" : " f32");
            double[] yRef = new double[outLen];
            double[] dwRef = new double[w.length()];
            double[] dxRef = new double[x.length()];
            direct(x, xs, w, o, bias, g, dy, yRef, dwRef, dxRef);
            assertSameBits(yRef, y, "y " + what);
            assertSameBits(dwRef, dw, "dw " + what);
            assertSameBits(dxRef, dx, "dx " + what);
            checked++;
        }
    }

    /** The definition, one output at a time. */
    private static void direct(Buf x, int[] xs, Buf w, int o, Buf bias, ConvGeometry g, Buf dy, double[] y,
                               double[] dw, double[] dx) {
        int n = xs[0];
        int c = xs[1];
        int h = xs[2];
        int wd = xs[3];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++) {
                        int out = ((b * o + oc) * g.outH() + oy) * g.outW() + ox;
                        double s = bias == null ? 0 : bias.get(oc);
                        double d = dy.get(out);
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int iy = oy * g.strideH() - g.padTop() + ky;
                                    int ix = ox * g.strideW() - g.padLeft() + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    int xi = ((b * c + ic) * h + iy) * wd + ix;
                                    int wi = ((oc * c + ic) * g.kernelH() + ky) * g.kernelW() + kx;
                                    s += x.get(xi) * w.get(wi);
                                    if (d != 0) {
                                        dw[wi] += d * x.get(xi);
                                        dx[xi] += d * w.get(wi);
                                    }
                                }
                            }
                        }
                        y[out] = s;
                    }
                }
            }
        }
    }

    private static void assertSameBits(double[] expected, Buf actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            double e = actual instanceof Buf.F32 ? (float) expected[i] : expected[i];
            assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(actual.get(i)), what + " at " + i
                    + ": " + e + " vs " + actual.get(i));
        }
    }

    private static Buf random(Random r, int length, boolean f64) {
        if (f64) {
            double[] d = new double[length];
            for (int i = 0; i < length; i++) {
                d[i] = r.nextGaussian();
            }
            return new Buf.F64(d);
        }
        float[] f = new float[length];
        for (int i = 0; i < length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return new Buf.F32(f);
    }
}
