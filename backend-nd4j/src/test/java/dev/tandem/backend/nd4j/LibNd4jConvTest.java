package dev.tandem.backend.nd4j;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The benchmark's libnd4j-ops alternative computes the same convolutions (so the comparison is fair). */
class LibNd4jConvTest {

    @Test
    void libnd4jOpsMatchTheReference() {
        Nd4jRuntime.require();
        JavaBackend ref = new JavaBackend();
        LibNd4jConv ops = new LibNd4jConv();
        Random r = new Random(3);
        ConvGeometry[] gs = {
            ConvGeometry.of(7, 9, 3, 3, 1, 1, Padding.SAME),
            ConvGeometry.of(7, 9, 3, 3, 2, 2, Padding.VALID),
            ConvGeometry.of(10, 6, 4, 4, 1, 1, Padding.SAME), // odd total pad: libnd4j SAME mode
            ConvGeometry.of(1, 50, 1, 8, 1, 4, Padding.SAME),
        };
        try {
            for (DType dt : DType.values()) {
                for (ConvGeometry g : gs) {
                    int n = 2;
                    int c = 3;
                    int o = 4;
                    Tensor x = rand(ref, dt, r, n, c, g.inH(), g.inW());
                    Tensor w = rand(ref, dt, r, o, c, g.kernelH(), g.kernelW());
                    Tensor b = rand(ref, dt, r, o);
                    Tensor y0 = ref.zeros(dt, n, o, g.outH(), g.outW());
                    Tensor y1 = ref.zeros(dt, n, o, g.outH(), g.outW());
                    ref.conv2dForward(x, w, b, g, y0);
                    ops.forward(x, w, b, g, y1);
                    double tol = dt == DType.FLOAT32 ? 1e-4 : 1e-10;
                    Nd4jBackendParityTest.assertClose("ops forward " + g, y0.toDoubleArray(), y1.toDoubleArray(), tol);
                    Tensor dx0 = ref.zeros(dt, n, c, g.inH(), g.inW());
                    Tensor dx1 = ref.zeros(dt, n, c, g.inH(), g.inW());
                    Tensor dw0 = ref.zeros(dt, o, c, g.kernelH(), g.kernelW());
                    Tensor dw1 = ref.zeros(dt, o, c, g.kernelH(), g.kernelW());
                    Tensor db0 = ref.zeros(dt, o);
                    Tensor db1 = ref.zeros(dt, o);
                    ref.conv2dBackward(x, w, y0, g, dx0, dw0, db0);
                    ops.backward(x, w, y0, g, dx1, dw1, db1);
                    Nd4jBackendParityTest.assertClose("ops dx " + g, dx0.toDoubleArray(), dx1.toDoubleArray(), tol);
                    Nd4jBackendParityTest.assertClose("ops dw " + g, dw0.toDoubleArray(), dw1.toDoubleArray(), tol);
                    Nd4jBackendParityTest.assertClose("ops db " + g, db0.toDoubleArray(), db1.toDoubleArray(), tol);
                }
            }
        } finally {
            ops.close();
        }
        // libnd4j's SAME mode would pad H by −1 here; no mode reproduces it
        assertNull(LibNd4jConv.convArgs(ConvGeometry.of(8, 6, 1, 4, 4, 1, Padding.SAME)));
        assertNotNull(LibNd4jConv.convArgs(ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME)));
    }

    private static Tensor rand(JavaBackend be, DType dt, Random r, int... shape) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        double[] a = new double[size];
        for (int i = 0; i < size; i++) {
            a[i] = r.nextGaussian();
        }
        if (dt == DType.FLOAT64) {
            return be.fromHost(a, shape);
        }
        float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            f[i] = (float) a[i];
        }
        return be.fromHost(f, shape);
    }
}
