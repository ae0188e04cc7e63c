package dev.tandem.learning.backend;

import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The float LSTM gate kernels (their own code: rational tanh, vectorisable passes) against the double reference. */
class JavaLstmTest {
    private static final JavaBackend BE = new JavaBackend();

    @Test
    void floatTanhIsAccurateAndSaturates() {
        double worst = 0;
        for (int i = -2_000_000; i <= 2_000_000; i++) {
            float x = i * 1e-5f; // [-20, 20]
            worst = Math.max(worst, Math.abs(JavaLstm.tanh(x) - Math.tanh(x)));
        }
        assertTrue(worst < 1e-6, "absolute error " + worst);
        assertEquals(1f, JavaLstm.tanh(1000f), 1e-6f);
        assertEquals(-1f, JavaLstm.tanh(-1e30f), 1e-6f);
        assertEquals(0f, JavaLstm.tanh(0f), 0f);
    }

    @Test
    void floatGatesMatchTheDoubleReference() {
        int n = 3;
        int ch = 5;
        int h = 4;
        int w = 7;
        double[] z = scaled(GradientCheck.random(n * 4 * ch * h * w, 1), 4);
        double[] cPrev = scaled(GradientCheck.random(n * ch * h * w, 2), 2);
        double[] peep = GradientCheck.random(3 * ch, 3);
        double[] dh = GradientCheck.random(n * ch * h * w, 4);
        double[] dc = GradientCheck.random(n * ch * h * w, 5);
        double[] dPeep0 = GradientCheck.random(3 * ch, 6);
        double[][] ref = run(DType.FLOAT64, z, cPrev, peep, dh, dc, dPeep0, n, ch, h, w);
        double[][] fl = run(DType.FLOAT32, z, cPrev, peep, dh, dc, dPeep0, n, ch, h, w);
        String[] names = {"gates", "c", "tanhC", "h", "dz", "dcPrev", "dPeephole"};
        for (int i = 0; i < ref.length; i++) {
            double scale = 1;
            for (double v : ref[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertArrayEquals(ref[i], fl[i], 1e-5 * scale, names[i]);
        }
    }

    private static double[][] run(DType dt, double[] z, double[] cPrev, double[] peep, double[] dh, double[] dc,
                                  double[] dPeep0, int n, int ch, int h, int w) {
        Tensor gates = BE.zeros(dt, n, 4 * ch, h, w);
        Tensor c = BE.zeros(dt, n, ch, h, w);
        Tensor tc = BE.zeros(dt, n, ch, h, w);
        Tensor hh = BE.zeros(dt, n, ch, h, w);
        Tensor cp = t(dt, cPrev, n, ch, h, w);
        Tensor pe = t(dt, peep, 3, ch);
        BE.lstmGatesForward(t(dt, z, n, 4 * ch, h, w), cp, pe, gates, c, tc, hh);
        Tensor dz = BE.zeros(dt, n, 4 * ch, h, w);
        Tensor dcPrev = BE.zeros(dt, n, ch, h, w);
        Tensor dPeep = t(dt, dPeep0, 3, ch);
        BE.lstmGatesBackward(gates, cp, c, tc, pe, t(dt, dh, n, ch, h, w), t(dt, dc, n, ch, h, w), dz, dcPrev, dPeep);
        return new double[][] {gates.toDoubleArray(), c.toDoubleArray(), tc.toDoubleArray(), hh.toDoubleArray(),
            dz.toDoubleArray(), dcPrev.toDoubleArray(), dPeep.toDoubleArray()};
    }

    private static Tensor t(DType dt, double[] v, int... shape) {
        if (dt == DType.FLOAT64) {
            return BE.fromHost(v, shape);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return BE.fromHost(f, shape);
    }

    private static double[] scaled(double[] v, double s) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return v;
    }
}
