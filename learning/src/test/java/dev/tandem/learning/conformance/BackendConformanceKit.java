package dev.tandem.learning.conformance;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nets.ConvLstmForecaster;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.tensor.Unary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The backend conformance kit: every {@link Backend} operation of the backends under test against the plain-Java
 * reference, in float and double, on random inputs, plus one forward and backward pass of the W2 ConvLSTM. A
 * backend module runs it by extending this class (it ships in the learning test-jar) and naming its backends; the
 * kit fails when the SPI gains a method that no case covers ({@link #theCasesCoverEveryBackendMethod}).
 *
 * <p>Hooks: {@link #backends()} (instances, by label), {@link #available()} (a reason to skip, for hardware that is
 * not there), {@link #afterCase} (checks of a backend's own, such as "this really ran natively").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformanceKit {
    protected static final double FLOAT_TOL = 1e-4;
    protected static final double DOUBLE_TOL = 1e-10;

    protected static final JavaBackend REF = new JavaBackend();

    private Map<String, Backend> backends;

    /** The backends under test by label, created once for the class (closed after it). */
    protected abstract Map<String, Backend> backends();

    /**
     * Null when the backends can run here, else why not: the kit then reports every case as skipped with that
     * reason (a GPU backend on a machine without a GPU).
     */
    protected String available() {
        return null;
    }

    /** Called with the backend's counters around each case; override to assert that a case left Java. */
    protected Object beforeCase(String label, Backend be) {
        return null;
    }

    protected void afterCase(String label, Backend be, Object token) {
    }

    @BeforeAll
    void openBackends() {
        backends = available() == null ? backends() : Map.of();
    }

    @AfterAll
    void closeBackends() {
        for (Backend be : backends.values()) {
            be.close();
        }
    }

    /** The backends under test (empty when {@link #available()} says they cannot run here). */
    protected final Map<String, Backend> underTest() {
        return backends;
    }

    /** One operation: builds its inputs from a seeded Random, runs, and returns every output as doubles. */
    protected interface Case extends BiFunction<Backend, DType, List<double[]>> {
    }

    /** Cases by name; the part of a name before ':' is the Backend method it covers. */
    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        // ---- memory --------------------------------------------------------------------------------
        CASES.put("zeros", (be, dt) -> out(be.zeros(dt, 2, 3, 4)));
        CASES.put("fromHost:float", (be, dt) -> {
            float[] a = {1.5f, -2f, 3.25f, 0f, 7f, -0.5f};
            Tensor t = be.fromHost(a, 2, 3);
            a[0] = 99; // fromHost copies
            return out(t);
        });
        CASES.put("fromHost:double", (be, dt) -> {
            double[] a = {1.5, -2, 3.25, 0, 7, -0.1};
            Tensor t = be.fromHost(a, 3, 2);
            a[0] = 99;
            return out(t);
        });
        CASES.put("copyToHost:float", (be, dt) -> {
            float[] h = new float[12];
            be.copyToHost(rand(be, dt, 1, 3, 4), h);
            return List.of(toDouble(h));
        });
        CASES.put("copyToHost:double", (be, dt) -> {
            double[] h = new double[12];
            be.copyToHost(rand(be, dt, 1, 3, 4), h);
            return List.of(h);
        });
        CASES.put("copyFromHost:float", (be, dt) -> {
            Tensor t = be.zeros(dt, 4, 3);
            be.copyFromHost(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5f}, t);
            return out(t);
        });
        CASES.put("copyFromHost:double", (be, dt) -> {
            Tensor t = be.zeros(dt, 4, 3);
            be.copyFromHost(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.25}, t);
            return out(t);
        });
        CASES.put("reshape", (be, dt) -> {
            Tensor t = rand(be, dt, 2, 6, 1);
            Tensor r = be.reshape(t, 3, 4);
            be.fill(r, 0.5); // shares storage
            return List.of(r.toDoubleArray(), t.toDoubleArray(), shape(r));
        });
        CASES.put("copyExamples", (be, dt) -> {
            Tensor src = rand(be, dt, 5, 2, 3);
            Tensor dst = rand(be, dt, 4, 6);
            be.copyExamples(src, 1, dst, 2, 2);
            return out(dst);
        });
        // ---- element-wise and reductions -----------------------------------------------------------
        CASES.put("fill", (be, dt) -> {
            Tensor t = rand(be, dt, 3, 7);
            be.fill(t, -1.25);
            return out(t);
        });
        CASES.put("copy", (be, dt) -> {
            Tensor a = rand(be, dt, 3, 7);
            Tensor b = be.zeros(dt, 3, 7);
            be.copy(a, b);
            return out(b);
        });
        CASES.put("axpby", (be, dt) -> {
            Tensor x = rand(be, dt, 17, 5);
            Tensor y = rand(be, dt, 17, 5);
            be.axpby(0.75, x, -1.5, y);
            return out(y);
        });
        CASES.put("multiply", (be, dt) -> {
            Tensor x = rand(be, dt, 6, 5);
            Tensor y = rand(be, dt, 6, 5);
            Tensor o = be.zeros(dt, 6, 5);
            be.multiply(x, y, o);
            be.multiply(x, y, x); // aliasing
            return out(o, x);
        });
        // over 65,536 elements: a parallel backend splits the element-wise loops across its workers
        CASES.put("multiply: 70,000 elements", (be, dt) -> {
            Tensor x = rand(be, dt, 70, 1000);
            Tensor y = rand(be, dt, 70, 1000);
            Tensor o = be.zeros(dt, 70, 1000);
            be.multiply(x, y, o);
            return out(o);
        });
        CASES.put("relu forward and backward: 70,000 elements", (be, dt) -> {
            Tensor z = rand(be, dt, 7, 10, 1000);
            Tensor y = be.zeros(dt, 7, 10, 1000);
            be.activationForward(Activation.RELU, z, y);
            Tensor dz = be.zeros(dt, 7, 10, 1000);
            be.activationBackward(Activation.RELU, z, y, rand(be, dt, 7, 10, 1000), dz);
            return out(y, dz);
        });
        CASES.put("dropoutMask: 70,000 elements", (be, dt) -> {
            Tensor m = be.zeros(dt, 70, 1000);
            be.dropoutMask(77L, 0.5, m);
            return out(m);
        });
        CASES.put("divide", (be, dt) -> {
            Tensor x = rand(be, dt, 6, 5);
            Tensor y = positive(be, dt, 6, 5);
            Tensor o = be.zeros(dt, 6, 5);
            be.divide(x, y, o);
            be.divide(x, y, y); // aliasing
            return out(o, y);
        });
        for (Unary op : Unary.values()) {
            CASES.put("unary:" + op, (be, dt) -> {
                Tensor x = op == Unary.SQRT || op == Unary.LOG ? positive(be, dt, 7, 6) : rand(be, dt, 7, 6);
                Tensor y = rand(be, dt, 7, 6); // stale values must be overwritten
                be.unary(op, x, y);
                be.unary(op, x, x); // in place
                return out(y, x);
            });
        }
        CASES.put("unary:edge values", (be, dt) -> {
            double[] v = {0, -0.0, 1e-30, -1, Double.POSITIVE_INFINITY, Double.NaN, 4};
            List<double[]> r = new ArrayList<>();
            for (Unary op : Unary.values()) {
                Tensor y = be.zeros(dt, v.length);
                be.unary(op, fromDoubles(be, dt, v, v.length), y);
                r.add(y.toDoubleArray());
            }
            return r;
        });
        CASES.put("scaleChannels", (be, dt) -> {
            Tensor x = rand(be, dt, 3, 4, 5, 2);
            Tensor o = rand(be, dt, 3, 4, 5, 2);
            be.scaleChannels(x, rand(be, dt, 4), o);
            Tensor d = rand(be, dt, 6, 7); // dense [N, F]
            be.scaleChannels(d, rand(be, dt, 7), d); // in place
            return out(o, d);
        });
        CASES.put("counterUniform", (be, dt) -> {
            Tensor a = be.zeros(dt, 10, 30);
            be.counterUniform(77L, 1, 0, a);
            Tensor b = be.zeros(dt, 41);
            be.counterUniform(-5L, 2, 1, b);
            return out(a, b);
        });
        CASES.put("sum", (be, dt) -> scalars(be.sum(rand(be, dt, 9, 11))));
        CASES.put("sumSquares", (be, dt) -> scalars(be.sumSquares(rand(be, dt, 9, 11))));
        CASES.put("sumAbs", (be, dt) -> scalars(be.sumAbs(rand(be, dt, 9, 11))));
        CASES.put("dot", (be, dt) -> scalars(be.dot(rand(be, dt, 9, 11), rand(be, dt, 9, 11))));
        CASES.put("allFinite", (be, dt) -> {
            Tensor t = rand(be, dt, 4, 4);
            boolean before = be.allFinite(t);
            float[] h = t.toFloatArray();
            h[5] = Float.NaN;
            be.copyFromHost(h, t);
            boolean nan = be.allFinite(t);
            h[5] = Float.POSITIVE_INFINITY;
            be.copyFromHost(h, t);
            return scalars(before ? 1 : 0, nan ? 1 : 0, be.allFinite(t) ? 1 : 0);
        });
        CASES.put("clamp", (be, dt) -> {
            Tensor t = rand(be, dt, 7, 9);
            be.clamp(t, -0.3, 0.45);
            return out(t);
        });
        // ---- dense algebra -------------------------------------------------------------------------
        int[][] gemmSizes = {{1, 1, 1}, {3, 5, 4}, {7, 2, 9}, {1, 40, 30}, {16, 16, 16}, {33, 17, 65},
            {64, 48, 80}, {130, 70, 90},
            // over a million multiply-adds: a parallel backend splits these, one by rows (m >= n), one by columns
            {260, 20, 210}, {20, 260, 210}};
        double[][] alphaBeta = {{1, 0}, {0.7, -1.3}, {-2, 1}, {0, 0.5}};
        for (int[] s : gemmSizes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                for (double[] ab : alphaBeta) {
                    CASES.put("gemm:" + s[0] + "x" + s[1] + "x" + s[2] + (ta ? " A^T" : " A") + (tb ? " B^T" : " B")
                            + " alpha=" + ab[0] + " beta=" + ab[1], (be, dt) -> {
                                int m = s[0];
                                int n = s[1];
                                int k = s[2];
                                Tensor a = ta ? rand(be, dt, k, m) : rand(be, dt, m, k);
                                Tensor b = tb ? rand(be, dt, n, k) : rand(be, dt, k, n);
                                Tensor c = rand(be, dt, m, n);
                                be.gemm(ta, tb, ab[0], a, b, ab[1], c);
                                return out(c);
                            });
                }
            }
        }
        CASES.put("gemm:beta=0 ignores NaN in C", (be, dt) -> {
            Tensor a = rand(be, dt, 20, 30);
            Tensor b = rand(be, dt, 30, 25);
            Tensor c = be.zeros(dt, 20, 25);
            be.fill(c, Double.NaN);
            be.gemm(false, false, 1, a, b, 0, c);
            return out(c);
        });
        CASES.put("addBias:dense", (be, dt) -> {
            Tensor y = rand(be, dt, 5, 7);
            be.addBias(y, rand(be, dt, 7));
            return out(y);
        });
        CASES.put("addBias:nchw", (be, dt) -> {
            Tensor y = rand(be, dt, 3, 4, 5, 6);
            be.addBias(y, rand(be, dt, 4));
            return out(y);
        });
        CASES.put("biasGradient", (be, dt) -> {
            Tensor g = be.zeros(dt, 4);
            be.biasGradient(rand(be, dt, 3, 4, 5, 6), g);
            Tensor g2 = be.zeros(dt, 7);
            be.biasGradient(rand(be, dt, 5, 7), g2);
            Tensor g3 = rand(be, dt, 16); // overwritten
            be.biasGradient(rand(be, dt, 3, 16, 1, 127), g3); // odd positions per example
            Tensor g4 = be.zeros(dt, 3);
            be.biasGradient(rand(be, dt, 2, 3, 3, 347), g4); // rows of several float runs (256) and a remainder
            Tensor g5 = be.zeros(dt, 5);
            be.biasGradient(rand(be, dt, 1, 5, 1, 1), g5); // batch 1, one position
            return out(g, g2, g3, g4, g5);
        });
        // ---- convolution ---------------------------------------------------------------------------
        // n, c, h, w, o, kH, kW, sH, sW, padding
        Object[][] convs = {
            {2, 3, 7, 9, 4, 3, 3, 1, 1, Padding.SAME},
            {2, 3, 7, 9, 4, 3, 3, 1, 1, Padding.VALID},
            {2, 3, 7, 9, 4, 3, 3, 2, 2, Padding.SAME},
            {2, 3, 7, 9, 4, 3, 3, 2, 2, Padding.VALID},
            {2, 2, 10, 6, 5, 2, 2, 1, 1, Padding.SAME},
            {2, 2, 10, 6, 5, 4, 4, 1, 1, Padding.SAME},
            {2, 2, 10, 6, 5, 4, 2, 2, 2, Padding.SAME},
            {2, 2, 10, 6, 5, 4, 4, 2, 2, Padding.VALID},
            {3, 2, 11, 8, 3, 5, 3, 2, 1, Padding.SAME},
            {1, 4, 6, 5, 2, 6, 5, 1, 1, Padding.SAME},
            {2, 3, 9, 9, 2, 1, 1, 3, 3, Padding.SAME},
            {2, 1, 28, 28, 8, 5, 5, 1, 1, Padding.SAME},      // toolkit conv1, narrowed
            {2, 8, 14, 14, 16, 5, 5, 1, 1, Padding.SAME},     // toolkit conv2, narrowed
            {3, 4, 1, 50, 6, 1, 8, 1, 4, Padding.SAME},       // conv1d
            {3, 4, 1, 50, 6, 1, 7, 1, 3, Padding.SAME},
            {3, 4, 1, 50, 6, 1, 8, 1, 4, Padding.VALID},
            {4, 4, 1, 512, 8, 1, 64, 1, 16, Padding.SAME},    // conv1d as in the forecaster, shorter
            {2, 3, 8, 6, 4, 1, 4, 4, 1, Padding.SAME},        // odd W pad and a clipped H pad
            {2, 3, 9, 9, 4, 2, 2, 2, 2, Padding.SAME},        // odd 1 pad cell at the bottom/right only
        };
        for (Object[] cv : convs) {
            int n = (int) cv[0];
            int c = (int) cv[1];
            int h = (int) cv[2];
            int w = (int) cv[3];
            int o = (int) cv[4];
            ConvGeometry g = ConvGeometry.of(h, w, (int) cv[5], (int) cv[6], (int) cv[7], (int) cv[8],
                    (Padding) cv[9]);
            String name = "[" + n + "," + c + "," + h + "," + w + "] -> " + o + " k" + g.kernelH() + "x" + g.kernelW()
                    + " s" + g.strideH() + "x" + g.strideW() + " " + cv[9];
            addConvCases(name, n, c, o, g);
        }
        // Hand-made geometries, not from ConvGeometry.of: asymmetric padding (top 2, bottom 0), a negative pad (a crop)
        addConvCases("hand-made pads", 2, 3, 4, new ConvGeometry(6, 7, 3, 3, 1, 1, 2, 0, 6, 5));
        addConvCases("hand-made negative pad", 2, 3, 4, new ConvGeometry(6, 7, 3, 3, 1, 1, -1, 0, 3, 5));
        addConvCases("hand-made stride 3, pads 2/1", 2, 2, 3, new ConvGeometry(8, 10, 3, 4, 3, 3, 2, 1, 3, 4));
        // Strided float convolutions run as stride-1 ones (SpaceToDepth): W3's first convolution at full size (batch 3
        // is not divisible by the workers; batch 1), kernels not a multiple of the stride, pads wider than the kernel,
        // a crop (negative pad) and VALID with a dropped remainder
        addConvCases("W3 conv1 [3,4,1,2048] -> 16 k1x64 s1x16 SAME", 3, 4, 16, ConvGeometry.of(1, 2048, 1, 64, 1, 16,
                Padding.SAME));
        addConvCases("W3 conv1 batch 1", 1, 4, 16, ConvGeometry.of(1, 2048, 1, 64, 1, 16, Padding.SAME));
        addConvCases("odd [5,3,7,11] -> 5 k3x5 s1x2 SAME", 5, 3, 5, ConvGeometry.of(7, 11, 3, 5, 1, 2, Padding.SAME));
        addConvCases("k7 s2 VALID, remainder dropped", 3, 2, 4, ConvGeometry.of(1, 40, 1, 7, 1, 2, Padding.VALID));
        addConvCases("hand-made stride 2, pads 3/5 wider than the kernel", 3, 2, 3,
                new ConvGeometry(5, 9, 2, 4, 2, 2, 3, 5, 5, 7));
        addConvCases("hand-made stride 4, crop (pad -3)", 3, 2, 3, new ConvGeometry(1, 50, 1, 8, 1, 4, 0, -3, 1, 10));
        // 1-D stride-1 float convolutions run as one product per tap (TapConv): W3's blocks 2-5, batch 1 and odd
        // batches, width 1, and hand-made pads (wider than the kernel, a crop, a bare right edge)
        addConvCases("W3 conv2 [5,16,1,64] -> 32 k1x3 SAME", 5, 16, 32, ConvGeometry.of(1, 64, 1, 3, 1, 1, Padding.SAME));
        addConvCases("W3 conv5 [3,64,1,8] -> 64 k1x3 VALID", 3, 64, 64, ConvGeometry.of(1, 8, 1, 3, 1, 1, Padding.VALID));
        addConvCases("1-D batch 1 k1x4 SAME", 1, 3, 5, ConvGeometry.of(1, 17, 1, 4, 1, 1, Padding.SAME));
        addConvCases("1-D k1x1", 3, 4, 2, ConvGeometry.of(1, 9, 1, 1, 1, 1, Padding.VALID));
        addConvCases("hand-made 1-D pad 4 wider than the kernel", 3, 2, 3, new ConvGeometry(1, 10, 1, 3, 1, 1, 0, 4, 1, 12));
        addConvCases("hand-made 1-D crop (pad -2)", 3, 2, 3, new ConvGeometry(1, 12, 1, 3, 1, 1, 0, -2, 1, 6));
        addConvCases("hand-made 1-D right edge unread", 3, 2, 3, new ConvGeometry(1, 12, 1, 3, 1, 1, 0, 1, 1, 7));
        // 2-D stride-1 float convolutions of 16+ input channels and 16+ taps run as one product per tap (TapConv2d):
        // W1's conv2 at full size with a batch not divisible by the workers, a kernel larger than the input, and the
        // "2-D taps 4x4+" cases below (batch 1, odd and even kernels, VALID, hand-made pads: asymmetric, a crop, wider
        // than the kernel); the smaller kernels of this group take the shifted path since TapConv2d.MIN_TAPS
        addConvCases("2-D taps toolkit conv2 [3,32,14,14] -> 64 k5x5 SAME", 3, 32, 64,
                ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME));
        addConvCases("2-D taps several products per worker [17,16,14,14] -> 4 k5x5 SAME", 17, 16, 4,
                ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME));
        addConvCases("2-D taps batch 1 [1,16,7,9] -> 5 k3x3 SAME", 1, 16, 5, ConvGeometry.of(7, 9, 3, 3, 1, 1, Padding.SAME));
        addConvCases("2-D taps [5,16,9,7] -> 3 k4x2 SAME", 5, 16, 3, ConvGeometry.of(9, 7, 4, 2, 1, 1, Padding.SAME));
        addConvCases("2-D taps [3,17,8,11] -> 4 k3x5 VALID", 3, 17, 4, ConvGeometry.of(8, 11, 3, 5, 1, 1, Padding.VALID));
        addConvCases("2-D taps k1x1", 3, 16, 4, ConvGeometry.of(5, 5, 1, 1, 1, 1, Padding.VALID));
        addConvCases("2-D taps kernel larger than the input", 2, 16, 3, ConvGeometry.of(3, 4, 5, 5, 1, 1, Padding.SAME));
        addConvCases("2-D taps hand-made pads", 3, 16, 4, new ConvGeometry(6, 7, 3, 3, 1, 1, 2, 0, 6, 5));
        addConvCases("2-D taps hand-made crop", 3, 16, 4, new ConvGeometry(6, 7, 3, 3, 1, 1, -1, -2, 3, 3));
        addConvCases("2-D taps hand-made pads 3/5 wider than the kernel", 3, 16, 3,
                new ConvGeometry(5, 9, 2, 4, 1, 1, 3, 5, 5, 7));
        addConvCases("2-D taps 4x4+ batch 1 [1,16,7,9] -> 5 k4x4 SAME", 1, 16, 5, ConvGeometry.of(7, 9, 4, 4, 1, 1, Padding.SAME));
        addConvCases("2-D taps 4x4+ [5,16,9,7] -> 3 k4x6 SAME", 5, 16, 3, ConvGeometry.of(9, 7, 4, 6, 1, 1, Padding.SAME));
        addConvCases("2-D taps 4x4+ [3,17,8,11] -> 4 k5x5 VALID", 3, 17, 4, ConvGeometry.of(8, 11, 5, 5, 1, 1, Padding.VALID));
        addConvCases("2-D taps 4x4+ hand-made pads", 3, 16, 4, new ConvGeometry(6, 7, 4, 4, 1, 1, 2, 0, 6, 4));
        addConvCases("2-D taps 4x4+ hand-made crop", 3, 16, 4, new ConvGeometry(8, 9, 4, 4, 1, 1, -1, -2, 3, 3));
        addConvCases("2-D taps 4x4+ hand-made pads 3/5 wider than the kernel", 3, 16, 3,
                new ConvGeometry(5, 9, 4, 4, 1, 1, 3, 5, 5, 7));
        CASES.put("conv2dForward:toolkit conv2 full width", (be, dt) -> {
            ConvGeometry g = ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME);
            Tensor y = be.zeros(dt, 2, 64, 14, 14);
            be.conv2dForward(rand(be, dt, 2, 32, 14, 14), rand(be, dt, 64, 32, 5, 5), rand(be, dt, 64), g, y);
            return out(y);
        });
        // batch 1 (fewer examples than workers): split by output rows across the workers
        CASES.put("conv2dForward:W2 batch 1, split by rows", (be, dt) -> {
            ConvGeometry g = ConvGeometry.of(32, 32, 3, 3, 1, 1, Padding.SAME);
            Tensor y = be.zeros(dt, 1, 64, 32, 32);
            be.conv2dForward(rand(be, dt, 1, 20, 32, 32), rand(be, dt, 64, 20, 3, 3), rand(be, dt, 64), g, y);
            return out(y);
        });
        CASES.put("conv2dForward:batch 1, odd rows, 5x3 valid, split by rows", (be, dt) -> {
            ConvGeometry g = ConvGeometry.of(33, 20, 5, 3, 1, 1, Padding.VALID);
            Tensor y = be.zeros(dt, 1, 32, g.outH(), g.outW());
            be.conv2dForward(rand(be, dt, 1, 8, 33, 20), rand(be, dt, 32, 8, 5, 3), null, g, y);
            return out(y);
        });
        // ---- pooling --------------------------------------------------------------------------------
        CASES.put("maxPoolForward", (be, dt) -> {
            ConvGeometry g = ConvGeometry.of(8, 6, 2, 2, 2, 2, Padding.VALID);
            Tensor y = be.zeros(dt, 2, 3, 4, 3);
            be.maxPoolForward(rand(be, dt, 2, 3, 8, 6), g, y);
            ConvGeometry g3 = ConvGeometry.of(7, 9, 3, 2, 2, 3, Padding.VALID);
            Tensor y3 = be.zeros(dt, 2, 3, g3.outH(), g3.outW());
            be.maxPoolForward(rand(be, dt, 2, 3, 7, 9), g3, y3);
            return out(y, y3);
        });
        CASES.put("maxPoolBackward", (be, dt) -> {
            ConvGeometry g = ConvGeometry.of(8, 6, 2, 2, 2, 2, Padding.VALID);
            Tensor x = rand(be, dt, 2, 3, 8, 6);
            float[] h = x.toFloatArray();
            for (int i = 0; i < h.length; i += 3) {
                h[i] = 0; // ties, as after a ReLU
            }
            be.copyFromHost(h, x);
            Tensor dx = rand(be, dt, 2, 3, 8, 6);
            be.maxPoolBackward(x, rand(be, dt, 2, 3, 4, 3), g, dx);
            return out(dx);
        });
        CASES.put("maxPool:1d", (be, dt) -> {
            ConvGeometry g = ConvGeometry.of(1, 40, 1, 4, 1, 4, Padding.VALID);
            Tensor x = rand(be, dt, 2, 3, 1, 40);
            Tensor y = be.zeros(dt, 2, 3, 1, 10);
            be.maxPoolForward(x, g, y);
            Tensor dx = be.zeros(dt, 2, 3, 1, 40);
            be.maxPoolBackward(x, rand(be, dt, 2, 3, 1, 10), g, dx);
            return out(y, dx);
        });
        // 1-D non-overlapping windows (the fast loops): width 2 with an odd length (the remainder gets no gradient),
        // width 3, ties as after a ReLU, batch 1, and one large enough to be split across the workers
        // {examples, channels, windows, width, remainder}
        // width 2 without a remainder runs every plane of a range as one loop: odd plane counts, one window, W3's last
        // pool, and one split across the workers
        for (int[] sz : new int[][] {{3, 5, 1, 2, 1}, {3, 5, 2, 3, 0}, {1, 7, 129, 2, 1}, {5, 33, 1601, 2, 1},
                {2, 3, 10, 3, 2}, {3, 5, 4, 2, 0}, {1, 1, 1, 2, 0}, {32, 64, 4, 2, 0}, {4, 33, 1024, 2, 0}}) {
            int n = sz[0];
            int c = sz[1];
            int len = sz[2] * sz[3] + sz[4];
            ConvGeometry g = ConvGeometry.of(1, len, 1, sz[3], 1, sz[3], Padding.VALID);
            CASES.put("maxPool:1d fast [" + n + "," + c + ",1," + len + "] k" + sz[3], (be, dt) -> {
                Tensor x = rand(be, dt, n, c, 1, len);
                double[] h = x.toDoubleArray();
                for (int i = 0; i < h.length; i += 3) {
                    h[i] = 0; // ties
                }
                x = fromDoubles(be, dt, h, n, c, 1, len);
                Tensor y = rand(be, dt, n, c, 1, g.outW()); // stale values must be overwritten
                be.maxPoolForward(x, g, y);
                Tensor dx = rand(be, dt, n, c, 1, len);
                be.maxPoolBackward(x, rand(be, dt, n, c, 1, g.outW()), g, dx);
                return out(y, dx);
            });
        }
        // width 2, both loops: NaN (a NaN second element is skipped, a NaN first one wins) and signed zeros
        for (int rem : new int[] {0, 1}) {
            CASES.put("maxPool:1d fast k2 NaN and -0, remainder " + rem, (be, dt) -> {
                int len = 16 + rem;
                Tensor x = rand(be, dt, 2, 3, 1, len);
                double[] h = x.toDoubleArray();
                for (int i = 0; i < h.length; i += 5) {
                    h[i] = Double.NaN;
                }
                for (int i = 2; i < h.length; i += 7) {
                    h[i] = -0.0;
                    h[i + 1] = 0.0;
                }
                x = fromDoubles(be, dt, h, 2, 3, 1, len);
                ConvGeometry g = ConvGeometry.of(1, len, 1, 2, 1, 2, Padding.VALID);
                Tensor y = be.zeros(dt, 2, 3, 1, 8);
                be.maxPoolForward(x, g, y);
                Tensor dx = be.zeros(dt, 2, 3, 1, len);
                be.maxPoolBackward(x, rand(be, dt, 2, 3, 1, 8), g, dx);
                return out(y, dx);
            });
        }
        // 2x2 stride-2 windows (the branch-free 2-D loops): odd heights and widths (a remainder row and column that get
        // no gradient), one window at batch 1, ties as after a ReLU, W1's first pool at full size (split across the
        // workers) and an odd plane count split across the workers
        for (int[] sz : new int[][] {{3, 5, 7, 9}, {1, 1, 2, 2}, {2, 3, 8, 6}, {1, 2, 3, 2}, {64, 32, 28, 28},
                {5, 33, 41, 40}}) {
            int n = sz[0];
            int c = sz[1];
            int h = sz[2];
            int w = sz[3];
            ConvGeometry g = ConvGeometry.of(h, w, 2, 2, 2, 2, Padding.VALID);
            CASES.put("maxPool:2x2 fast [" + n + "," + c + "," + h + "," + w + "]", (be, dt) -> {
                Tensor x = rand(be, dt, n, c, h, w);
                double[] v = x.toDoubleArray();
                for (int i = 0; i < v.length; i += 3) {
                    v[i] = 0; // ties
                }
                x = fromDoubles(be, dt, v, n, c, h, w);
                Tensor y = rand(be, dt, n, c, g.outH(), g.outW()); // stale values must be overwritten
                be.maxPoolForward(x, g, y);
                Tensor dx = rand(be, dt, n, c, h, w);
                be.maxPoolBackward(x, rand(be, dt, n, c, g.outH(), g.outW()), g, dx);
                return out(y, dx);
            });
        }
        // 2x2 stride 2 with NaN (skipped unless first in its window) and signed zeros, with and without remainders
        for (int rem : new int[] {0, 1}) {
            CASES.put("maxPool:2x2 fast NaN and -0, remainder " + rem, (be, dt) -> {
                int h = 6 + rem;
                int w = 8 + rem;
                Tensor x = rand(be, dt, 2, 3, h, w);
                double[] v = x.toDoubleArray();
                for (int i = 0; i < v.length; i += 5) {
                    v[i] = Double.NaN;
                }
                for (int i = 2; i + w + 1 < v.length; i += 7) {
                    v[i] = -0.0;
                    v[i + 1] = 0.0;
                    v[i + w] = -0.0;
                }
                x = fromDoubles(be, dt, v, 2, 3, h, w);
                ConvGeometry g = ConvGeometry.of(h, w, 2, 2, 2, 2, Padding.VALID);
                Tensor y = be.zeros(dt, 2, 3, 3, 4);
                be.maxPoolForward(x, g, y);
                Tensor dx = be.zeros(dt, 2, 3, h, w);
                be.maxPoolBackward(x, rand(be, dt, 2, 3, 3, 4), g, dx);
                return out(y, dx);
            });
        }
        // ---- activations ----------------------------------------------------------------------------
        for (Activation f : Activation.values()) {
            CASES.put("activationForward:" + f, (be, dt) -> {
                Tensor z = rand(be, dt, 4, 9);
                Tensor y = be.zeros(dt, 4, 9);
                be.activationForward(f, z, y);
                return out(y);
            });
            CASES.put("activationBackward:" + f, (be, dt) -> {
                Tensor z = rand(be, dt, 4, 9);
                Tensor y = be.zeros(dt, 4, 9);
                be.activationForward(f, z, y);
                Tensor dz = be.zeros(dt, 4, 9);
                be.activationBackward(f, z, y, rand(be, dt, 4, 9), dz);
                return out(dz);
            });
        }
        for (Activation f : Activation.values()) {
            for (boolean neuronWise : new boolean[] {false, true}) {
                String kind = neuronWise ? " neuron-wise" : " layer-wise";
                CASES.put("adaptiveActivationForward:" + f + kind, (be, dt) -> {
                    Tensor y = be.zeros(dt, 4, 9);
                    be.adaptiveActivationForward(f, rand(be, dt, 4, 9), positive(be, dt, neuronWise ? 9 : 1), 10, y);
                    return out(y);
                });
                CASES.put("adaptiveActivationBackward:" + f + kind, (be, dt) -> {
                    Tensor z = rand(be, dt, 4, 9);
                    Tensor slope = positive(be, dt, neuronWise ? 9 : 1);
                    Tensor y = be.zeros(dt, 4, 9);
                    be.adaptiveActivationForward(f, z, slope, 10, y);
                    Tensor dz = rand(be, dt, 4, 9);
                    Tensor dSlope = rand(be, dt, neuronWise ? 9 : 1);
                    be.adaptiveActivationBackward(f, z, slope, 10, y, rand(be, dt, 4, 9), dz, dSlope);
                    return out(dz, dSlope);
                });
            }
        }
        CASES.put("softmaxRows", (be, dt) -> {
            Tensor y = be.zeros(dt, 5, 10);
            be.softmaxRows(rand(be, dt, 5, 10), y);
            return out(y);
        });
        CASES.put("softmaxRowsBackward", (be, dt) -> {
            Tensor y = be.zeros(dt, 5, 10);
            be.softmaxRows(rand(be, dt, 5, 10), y);
            Tensor dx = be.zeros(dt, 5, 10);
            be.softmaxRowsBackward(y, rand(be, dt, 5, 10), dx);
            return out(dx);
        });
        // ---- batch normalisation ----------------------------------------------------------------------
        CASES.put("batchNormTrainForward", (be, dt) -> {
            int c = 4;
            Tensor x = rand(be, dt, 6, c, 3, 5);
            Tensor rm = rand(be, dt, c);
            Tensor rv = positive(be, dt, c);
            Tensor xHat = be.zeros(dt, 6, c, 3, 5);
            Tensor mean = be.zeros(dt, c);
            Tensor invStd = be.zeros(dt, c);
            Tensor y = be.zeros(dt, 6, c, 3, 5);
            be.batchNormTrainForward(x, rand(be, dt, c), rand(be, dt, c), 1e-5, 0.1, rm, rv, xHat, mean, invStd, y);
            Tensor x2 = rand(be, dt, 7, 3); // dense [N, F]
            Tensor y2 = be.zeros(dt, 7, 3);
            be.batchNormTrainForward(x2, rand(be, dt, 3), rand(be, dt, 3), 1e-3, 0.3, be.zeros(dt, 3),
                    positive(be, dt, 3), be.zeros(dt, 7, 3), be.zeros(dt, 3), be.zeros(dt, 3), y2);
            return out(xHat, y, mean, invStd, rm, rv, y2);
        });
        CASES.put("batchNormInferForward", (be, dt) -> {
            Tensor y = be.zeros(dt, 6, 4, 3, 5);
            be.batchNormInferForward(rand(be, dt, 6, 4, 3, 5), rand(be, dt, 4), rand(be, dt, 4), rand(be, dt, 4),
                    positive(be, dt, 4), 1e-5, y);
            return out(y);
        });
        CASES.put("batchNormBackward", (be, dt) -> {
            int c = 4;
            Tensor x = rand(be, dt, 6, c, 3, 5);
            Tensor xHat = be.zeros(dt, 6, c, 3, 5);
            Tensor mean = be.zeros(dt, c);
            Tensor invStd = be.zeros(dt, c);
            Tensor gamma = rand(be, dt, c);
            be.batchNormTrainForward(x, gamma, rand(be, dt, c), 1e-5, 0.1, be.zeros(dt, c), positive(be, dt, c),
                    xHat, mean, invStd, be.zeros(dt, 6, c, 3, 5));
            Tensor dx = be.zeros(dt, 6, c, 3, 5);
            Tensor dGamma = be.zeros(dt, c);
            Tensor dBeta = be.zeros(dt, c);
            be.batchNormBackward(rand(be, dt, 6, c, 3, 5), xHat, gamma, invStd, dx, dGamma, dBeta);
            return out(dx, dGamma, dBeta);
        });
        // rows of every length mod 4 (the float sums run four accumulators) and rows of several runs (256), batch 1, a channel of 4 values (the input
        // gradient in double) and of 16 (in float), W3's last block, and inputs whose
        // mean is far from 0 against their spread (the float normalisation subtracts a float mean). Not two values
        // per channel: there x̂ = ±(1 − eps/2σ²) and dx is what eps leaves, below the reference's own float precision
        for (int[] sz : new int[][] {{3, 5, 1, 7}, {1, 3, 2, 3}, {4, 2, 1, 1}, {1, 4, 1, 16}, {32, 64, 1, 8}, {9, 6, 1, 17},
                {3, 2, 2, 301}}) {
            String dims = " [" + sz[0] + "," + sz[1] + "," + sz[2] + "," + sz[3] + "], offset 40";
            int c = sz[1];
            CASES.put("batchNormTrainBackward:" + dims, (be, dt) -> {
                double[] xs = rand(be, dt, sz).toDoubleArray();
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = 40 + 0.5 * xs[i] + (i / (sz[2] * sz[3])) % c;
                }
                Tensor x = fromDoubles(be, dt, xs, sz);
                Tensor rm = rand(be, dt, c);
                Tensor rv = positive(be, dt, c);
                Tensor xHat = be.zeros(dt, sz);
                Tensor mean = be.zeros(dt, c);
                Tensor invStd = be.zeros(dt, c);
                Tensor y = be.zeros(dt, sz);
                Tensor gamma = rand(be, dt, c);
                be.batchNormTrainForward(x, gamma, rand(be, dt, c), 1e-5, 0.1, rm, rv, xHat, mean, invStd, y);
                Tensor dx = rand(be, dt, sz);
                Tensor dGamma = rand(be, dt, c);
                Tensor dBeta = rand(be, dt, c);
                be.batchNormBackward(rand(be, dt, sz), xHat, gamma, invStd, dx, dGamma, dBeta);
                return out(xHat, y, mean, invStd, rm, rv, dx, dGamma, dBeta);
            });
        }
        // large enough to be split by channels across the workers: an odd channel count, batch 1, a W3 block
        for (int[] sz : new int[][] {{5, 33, 1, 200}, {1, 16, 1, 2048}, {32, 16, 1, 128}}) {
            String dims = " [" + sz[0] + "," + sz[1] + "," + sz[2] + "," + sz[3] + "], split by channels";
            int c = sz[1];
            CASES.put("batchNormTrainForward:" + dims, (be, dt) -> {
                Tensor x = rand(be, dt, sz);
                Tensor rm = rand(be, dt, c);
                Tensor rv = positive(be, dt, c);
                Tensor xHat = be.zeros(dt, sz);
                Tensor mean = be.zeros(dt, c);
                Tensor invStd = be.zeros(dt, c);
                Tensor y = be.zeros(dt, sz);
                be.batchNormTrainForward(x, rand(be, dt, c), rand(be, dt, c), 1e-5, 0.1, rm, rv, xHat, mean, invStd,
                        y);
                return out(xHat, y, mean, invStd, rm, rv);
            });
            CASES.put("batchNormInferForward:" + dims, (be, dt) -> {
                Tensor y = be.zeros(dt, sz);
                be.batchNormInferForward(rand(be, dt, sz), rand(be, dt, c), rand(be, dt, c), rand(be, dt, c),
                        positive(be, dt, c), 1e-5, y);
                return out(y);
            });
            CASES.put("batchNormBackward:" + dims, (be, dt) -> {
                Tensor x = rand(be, dt, sz);
                Tensor xHat = be.zeros(dt, sz);
                Tensor invStd = be.zeros(dt, c);
                Tensor gamma = rand(be, dt, c);
                be.batchNormTrainForward(x, gamma, rand(be, dt, c), 1e-5, 0.1, be.zeros(dt, c), positive(be, dt, c),
                        xHat, be.zeros(dt, c), invStd, be.zeros(dt, sz));
                Tensor dx = rand(be, dt, sz); // stale values must be overwritten
                Tensor dGamma = rand(be, dt, c);
                Tensor dBeta = rand(be, dt, c);
                be.batchNormBackward(rand(be, dt, sz), xHat, gamma, invStd, dx, dGamma, dBeta);
                return out(dx, dGamma, dBeta);
            });
        }
        // ---- randomness, losses, optimizers ---------------------------------------------------------
        CASES.put("dropoutMask", (be, dt) -> {
            Tensor m = be.zeros(dt, 10, 30);
            be.dropoutMask(1234L, 0.3, m);
            Tensor m2 = rand(be, dt, 2, 3, 7, 11); // overwritten
            be.dropoutMask(-9L, 0.5, m2);
            return out(m, m2);
        });
        CASES.put("softmaxCrossEntropy", (be, dt) -> {
            Tensor logits = rand(be, dt, 6, 5);
            Tensor targets = be.zeros(dt, 6, 5);
            float[] t = new float[30];
            for (int r = 0; r < 6; r++) {
                t[r * 5 + (r * 3) % 5] = 1;
            }
            t[2] = 0.5f; // one soft target row
            t[0] = 0.5f;
            be.copyFromHost(t, targets);
            Tensor probs = be.zeros(dt, 6, 5);
            double loss = be.softmaxCrossEntropy(logits, targets, probs);
            List<double[]> r = new ArrayList<>(out(probs));
            r.add(new double[] {loss});
            return r;
        });
        CASES.put("sgdUpdate", (be, dt) -> {
            Tensor p = rand(be, dt, 3, 8);
            Tensor buf = rand(be, dt, 3, 8);
            be.sgdUpdate(p, rand(be, dt, 3, 8), buf, 0.05, 0.9, 1e-4);
            return out(p, buf);
        });
        CASES.put("adamUpdate:odd size, first step", (be, dt) -> {
            Tensor p = rand(be, dt, 7, 11, 13);
            Tensor m = be.zeros(dt, 7, 11, 13);
            Tensor v = be.zeros(dt, 7, 11, 13);
            be.adamUpdate(p, rand(be, dt, 7, 11, 13), m, v, 1e-3, 0.9, 0.999, 1e-8, 1);
            be.adamUpdate(p, rand(be, dt, 7, 11, 13), m, v, 1e-2, 0.8, 0.99, 1e-6, 2);
            return out(p, m, v);
        });
        CASES.put("adamUpdate", (be, dt) -> {
            Tensor p = rand(be, dt, 3, 8);
            Tensor m = rand(be, dt, 3, 8);
            Tensor v = positive(be, dt, 3, 8);
            be.adamUpdate(p, rand(be, dt, 3, 8), m, v, 1e-3, 0.9, 0.999, 1e-8, 7);
            return out(p, m, v);
        });
        CASES.put("proximalSgdUpdate", (be, dt) -> {
            Tensor p = rand(be, dt, 3, 8);
            Tensor buf = rand(be, dt, 3, 8);
            be.proximalSgdUpdate(p, rand(be, dt, 3, 8), rand(be, dt, 3, 8), buf, 0.05, 0.9, 1e-4, 0.3);
            return out(p, buf);
        });
        CASES.put("yamAdamUpdate", (be, dt) -> {
            Tensor p = rand(be, dt, 3, 8);
            Tensor m = rand(be, dt, 3, 8);
            Tensor v = positive(be, dt, 3, 8);
            Tensor s = positive(be, dt, 3, 8);
            Tensor h = rand(be, dt, 3, 8);
            double[] norms = be.yamAdamUpdate(p, rand(be, dt, 3, 8), m, v, s, h, 0.8, 1e-8);
            List<double[]> r = new ArrayList<>(out(p, m, v, s, h));
            r.add(norms);
            return r;
        });
        CASES.put("salpLeaderMove", (be, dt) -> {
            Tensor salp = rand(be, dt, 5, 7);
            be.salpLeaderMove(rand(be, dt, 5, 7), salp, 99L, 0.4, -2, 3);
            return out(salp);
        });
        CASES.put("addScalar", (be, dt) -> {
            Tensor t = rand(be, dt, 5, 7);
            be.addScalar(t, -0.625);
            return out(t);
        });
        // ---- recurrent cells ------------------------------------------------------------------------
        CASES.put("copyChannels", (be, dt) -> {
            Tensor dst = rand(be, dt, 3, 5, 4, 2);
            be.copyChannels(rand(be, dt, 3, 4, 4, 2), 1, dst, 2, 3);
            return out(dst);
        });
        CASES.put("addChannels", (be, dt) -> {
            Tensor dst = rand(be, dt, 3, 5, 4, 2);
            be.addChannels(rand(be, dt, 3, 4, 4, 2), 0, dst, 1, 4);
            return out(dst);
        });
        CASES.put("flipConvWeights", (be, dt) -> {
            Tensor o = be.zeros(dt, 5, 4, 3, 3);
            be.flipConvWeights(rand(be, dt, 4, 5, 3, 3), o);
            Tensor o2 = be.zeros(dt, 2, 3, 1, 5);
            be.flipConvWeights(rand(be, dt, 3, 2, 1, 5), o2);
            return out(o, o2);
        });
        // small (one thread) and W2-sized at batch 2 (split across the workers by example and channel)
        for (int[] sz : new int[][] {{2, 3, 4, 5}, {2, 16, 32, 32}, {1, 16, 32, 32}}) {
            String dims = " [" + sz[0] + "," + sz[1] + "," + sz[2] + "," + sz[3] + "]";
            CASES.put("lstmGatesForward:" + dims, (be, dt) -> {
                int n = sz[0];
                int ch = sz[1];
                Tensor gates = rand(be, dt, n, 4 * ch, sz[2], sz[3]);
                Tensor c = rand(be, dt, n, ch, sz[2], sz[3]);
                Tensor tc = rand(be, dt, n, ch, sz[2], sz[3]);
                Tensor h = rand(be, dt, n, ch, sz[2], sz[3]);
                be.lstmGatesForward(rand(be, dt, n, 4 * ch, sz[2], sz[3]), rand(be, dt, n, ch, sz[2], sz[3]),
                        rand(be, dt, 3, ch), gates, c, tc, h);
                return out(gates, c, tc, h);
            });
            CASES.put("lstmGatesBackward:" + dims, (be, dt) -> {
                int n = sz[0];
                int ch = sz[1];
                Tensor cPrev = rand(be, dt, n, ch, sz[2], sz[3]);
                Tensor peep = rand(be, dt, 3, ch);
                Tensor gates = be.zeros(dt, n, 4 * ch, sz[2], sz[3]);
                Tensor c = be.zeros(dt, n, ch, sz[2], sz[3]);
                Tensor tc = be.zeros(dt, n, ch, sz[2], sz[3]);
                be.lstmGatesForward(rand(be, dt, n, 4 * ch, sz[2], sz[3]), cPrev, peep, gates, c, tc,
                        be.zeros(dt, n, ch, sz[2], sz[3]));
                Tensor dh = rand(be, dt, n, ch, sz[2], sz[3]);
                Tensor dc = rand(be, dt, n, ch, sz[2], sz[3]);
                Tensor dz = rand(be, dt, n, 4 * ch, sz[2], sz[3]);
                Tensor dcPrev = rand(be, dt, n, ch, sz[2], sz[3]);
                Tensor dPeep = rand(be, dt, 3, ch); // accumulates
                be.lstmGatesBackward(gates, cPrev, c, tc, peep, dh, dc, dz, dcPrev, dPeep);
                Tensor dz2 = be.zeros(dt, n, 4 * ch, sz[2], sz[3]);
                be.lstmGatesBackward(gates, cPrev, c, tc, peep, dh, dc, dz2, dc, dPeep); // dcPrev aliasing dc
                return out(dz, dcPrev, dPeep, dz2, dc);
            });
        }
    }

    private static void addConvCases(String name, int n, int c, int o, ConvGeometry g) {
        CASES.put("conv2dForward:" + name, (be, dt) -> {
            Tensor x = rand(be, dt, n, c, g.inH(), g.inW());
            Tensor w = rand(be, dt, o, c, g.kernelH(), g.kernelW());
            Tensor y = rand(be, dt, n, o, g.outH(), g.outW()); // stale values must be overwritten
            be.conv2dForward(x, w, rand(be, dt, o), g, y);
            Tensor y0 = be.zeros(dt, n, o, g.outH(), g.outW());
            be.conv2dForward(x, w, null, g, y0);
            return out(y, y0);
        });
        CASES.put("conv2dBackward:" + name, (be, dt) -> {
            Tensor x = rand(be, dt, n, c, g.inH(), g.inW());
            Tensor w = rand(be, dt, o, c, g.kernelH(), g.kernelW());
            Tensor dy = rand(be, dt, n, o, g.outH(), g.outW());
            Tensor dx = rand(be, dt, n, c, g.inH(), g.inW());
            Tensor dw = rand(be, dt, o, c, g.kernelH(), g.kernelW());
            Tensor db = rand(be, dt, o);
            be.conv2dBackward(x, w, dy, g, dx, dw, db);
            Tensor dw2 = rand(be, dt, o, c, g.kernelH(), g.kernelW());
            be.conv2dBackward(x, w, dy, g, null, dw2, null); // first layer: no dx, no bias
            return out(dx, dw, db, dw2);
        });
    }

    // ---- the conformance loop --------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyOperationMatchesTheJavaReference() {
        String skip = available();
        List<DynamicTest> tests = new ArrayList<>();
        if (skip != null) {
            tests.add(DynamicTest.dynamicTest("skipped: " + skip, () -> org.junit.jupiter.api.Assumptions.abort(skip)));
            return tests.stream();
        }
        for (Map.Entry<String, Case> e : CASES.entrySet()) {
            for (DType dt : DType.values()) {
                for (Map.Entry<String, Backend> be : backends.entrySet()) {
                    String label = e.getKey() + " " + dt + " (" + be.getKey() + ")";
                    tests.add(DynamicTest.dynamicTest(label, () -> compare(label, e.getKey(), e.getValue(), be.getValue(),
                            dt)));
                }
            }
        }
        return tests.stream();
    }

    /** The case names (before ':' the Backend method each covers). */
    public static Set<String> caseNames() {
        return CASES.keySet();
    }

    @Test
    void theCasesCoverEveryBackendMethod() {
        Set<String> covered = new TreeSet<>();
        for (String name : CASES.keySet()) {
            covered.add(name.split(":")[0]);
        }
        Set<String> missing = new TreeSet<>();
        for (Method m : Backend.class.getDeclaredMethods()) {
            if (!m.isSynthetic() && !covered.contains(m.getName()) && !m.getName().equals("name")
                    && !m.getName().equals("close")) {
                missing.add(m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "Backend methods without a conformance case: " + missing);
    }

    /**
     * One forward and backward pass of the W2 model (two-layer peephole ConvLSTM, 4 channels, 32×32, 8 frames → 1)
     * at batch 2 in float (the precision it trains in; double is covered op by op above), on each backend and on
     * the Java reference, from the same weights (peepholes set non-zero).
     */
    @Test
    void w2ConvLstmForwardAndBackwardMatchTheJavaReference() {
        org.junit.jupiter.api.Assumptions.assumeTrue(available() == null, () -> available());
        for (Map.Entry<String, Backend> e : backends.entrySet()) {
            Backend be = e.getValue();
            DType dt = DType.FLOAT32;
            Sequential ref = ConvLstmForecaster.w2(REF, dt, 5);
            Sequential nd = ConvLstmForecaster.w2(be, dt, 5);
            Random r = new Random(3);
            for (int p = 0; p < ref.params().size(); p++) {
                Tensor v = ref.params().get(p).value();
                double[] a = v.toDoubleArray();
                if (ref.params().get(p).name().endsWith("peephole")) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = 0.3 * r.nextGaussian();
                    }
                }
                REF.copyFromHost(a, v);
                be.copyFromHost(a, nd.params().get(p).value());
            }
            double[] x = new double[2 * 8 * 4 * 32 * 32];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextGaussian();
            }
            double[] dy = new double[2 * 4 * 32 * 32];
            for (int i = 0; i < dy.length; i++) {
                dy[i] = r.nextGaussian();
            }
            double tol = 2e-4;
            String label = "W2 " + dt + " (" + e.getKey() + ") ";
            Tensor yr = ref.forward(fromDoubles(REF, dt, x, 2, 8, 4, 32, 32), Pass.training(1));
            Tensor yn = nd.forward(fromDoubles(be, dt, x, 2, 8, 4, 32, 32), Pass.training(1));
            assertClose(label + "forecast", yr.toDoubleArray(), yn.toDoubleArray(), tol);
            Tensor dxr = ref.backward(fromDoubles(REF, dt, dy, 2, 1, 4, 32, 32));
            Tensor dxn = nd.backward(fromDoubles(be, dt, dy, 2, 1, 4, 32, 32));
            assertClose(label + "input gradient", dxr.toDoubleArray(), dxn.toDoubleArray(), tol);
            for (int p = 0; p < ref.params().size(); p++) {
                assertClose(label + ref.params().get(p).name(), ref.params().get(p).grad().toDoubleArray(),
                        nd.params().get(p).grad().toDoubleArray(), tol);
            }
        }
    }

    @Test
    void tensorsKnowTheirBackendAndType() {
        org.junit.jupiter.api.Assumptions.assumeTrue(available() == null, () -> available());
        for (Backend be : backends.values()) {
            Tensor t = be.zeros(DType.FLOAT32, 2, 2);
            assertEquals(DType.FLOAT32, t.dtype());
            assertArrayEquals(new int[] {2, 2}, t.shape());
            assertEquals(4, t.size());
        }
    }

    @Test
    void assertCloseAcceptsTheToleranceOnly() {
        assertClose("ok", new double[] {1, 2, 100}, new double[] {1, 2.005, 100}, 1e-4);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> assertClose("bad", new double[] {1, 2, 100}, new double[] {1, 2.02, 100}, 1e-4));
        assertTrue(e.getMessage().contains("element 1"));
    }

    private void compare(String label, String caseName, Case c, Backend be, DType dt) {
        RNG.set(new Random(caseName.hashCode() * 31 + dt.ordinal()));
        List<double[]> expected = c.apply(REF, dt);
        RNG.set(new Random(caseName.hashCode() * 31 + dt.ordinal()));
        Object token = beforeCase(caseName, be);
        List<double[]> actual = c.apply(be, dt);
        afterCase(caseName, be, token);
        assertEquals(expected.size(), actual.size(), label);
        for (int i = 0; i < expected.size(); i++) {
            assertClose(label + " output " + i, expected.get(i), actual.get(i),
                    dt == DType.FLOAT32 ? FLOAT_TOL : DOUBLE_TOL);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    protected static final ThreadLocal<Random> RNG = new ThreadLocal<>();

    /** Normwise relative: max |a − e| ≤ tol · max(max |e|, 1e-30), NaN where expected NaN. */
    public static void assertClose(String label, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, label + ": length");
        double scale = 0;
        for (double e : expected) {
            if (Double.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i]) || Double.isInfinite(expected[i])) {
                if (Double.compare(expected[i], actual[i]) != 0) {
                    fail(label + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
                }
                continue;
            }
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        if (worst > tol * Math.max(scale, 1e-30) || Double.isNaN(worst)) {
            fail(label + ": element " + at + " expected " + expected[at] + " got " + actual[at] + " (error "
                    + worst + ", scale " + scale + ", tol " + tol + ")\n expected "
                    + Arrays.toString(Arrays.copyOf(expected, Math.min(12, expected.length))) + "\n actual   "
                    + Arrays.toString(Arrays.copyOf(actual, Math.min(12, actual.length))));
        }
    }

    protected static Tensor rand(Backend be, DType dt, int... shape) {
        Random r = RNG.get() != null ? RNG.get() : new Random(42);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return fromDoubles(be, dt, a, shape);
    }

    protected static Tensor positive(Backend be, DType dt, int... shape) {
        Tensor t = rand(be, dt, shape);
        double[] a = t.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            a[i] = 0.1 + Math.abs(a[i]);
        }
        return fromDoubles(be, dt, a, shape);
    }

    protected static Tensor fromDoubles(Backend be, DType dt, double[] a, int... shape) {
        if (dt == DType.FLOAT64) {
            return be.fromHost(a, shape);
        }
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return be.fromHost(f, shape);
    }

    protected static List<double[]> out(Tensor... ts) {
        List<double[]> r = new ArrayList<>();
        for (Tensor t : ts) {
            r.add(t.toDoubleArray());
            r.add(shape(t));
            r.add(new double[] {t.dtype().ordinal()});
        }
        return r;
    }

    private static double[] shape(Tensor t) {
        return Arrays.stream(t.shape()).asDoubleStream().toArray();
    }

    protected static List<double[]> scalars(double... v) {
        return List.of(v);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
