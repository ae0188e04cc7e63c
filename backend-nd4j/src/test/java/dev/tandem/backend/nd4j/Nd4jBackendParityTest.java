package dev.tandem.backend.nd4j;

import dev.tandem.learning.conformance.BackendConformanceKit;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance kit ({@link BackendConformanceKit}) on two ND4J backends: one with the default size thresholds
 * (small calls stay in Java) and one with thresholds 0, so that every gemm and convolution of the kit goes through
 * OpenBLAS / libnd4j (checked by its counters). Plus ND4J's own concerns: mixed precision, scratch reuse, threads.
 */
class Nd4jBackendParityTest extends BackendConformanceKit {
    // every size threshold 0: the kit's convolutions run on oneDNN wherever that path takes the geometry
    private static final Nd4jBackend forced = new Nd4jBackend(0, 0, 0);
    private static final Nd4jBackend defaults = new Nd4jBackend();

    @Override
    protected Map<String, Backend> backends() {
        Map<String, Backend> m = new LinkedHashMap<>();
        m.put("native always", forced);
        m.put("default thresholds", defaults);
        return m;
    }

    @Override
    protected Object beforeCase(String label, Backend be) {
        return new long[] {((Nd4jBackend) be).nativeGemmCount(), ((Nd4jBackend) be).nativeConvCount()};
    }

    @Override
    protected void afterCase(String label, Backend be, Object token) {
        if (be != forced) {
            return;
        }
        long[] before = (long[]) token;
        // the forced backend must really have left Java
        if (label.startsWith("gemm:") && !label.startsWith("gemm:1x1x1")) {
            assertTrue(forced.nativeGemmCount() > before[0], label + " did not run on OpenBLAS");
        }
        if (label.startsWith("conv2d")) {
            assertTrue(forced.nativeConvCount() > before[1], label + " did not run natively");
        }
    }

    @Test
    void nameAndTensors() {
        assertEquals("nd4j", forced.name());
        Tensor t = forced.zeros(DType.FLOAT32, 2, 2);
        assertEquals("nd4j", t.backend().name());
        assertEquals(DType.FLOAT32, t.dtype());
    }

    @Test
    void mixedPrecisionFallsBackToTheReference() {
        ConvGeometry g = ConvGeometry.of(6, 6, 3, 3, 1, 1, Padding.SAME);
        RNG.set(new Random(5));
        Tensor x = rand(forced, DType.FLOAT32, 2, 3, 6, 6);
        Tensor w = rand(forced, DType.FLOAT64, 4, 3, 3, 3);
        Tensor y0 = REF.zeros(DType.FLOAT32, 2, 4, 6, 6);
        Tensor y1 = forced.zeros(DType.FLOAT32, 2, 4, 6, 6);
        long convs = forced.nativeConvCount();
        REF.conv2dForward(x, w, null, g, y0);
        forced.conv2dForward(x, w, null, g, y1);
        assertEquals(convs, forced.nativeConvCount());
        assertArrayEquals(y0.toDoubleArray(), y1.toDoubleArray());
        Tensor a = rand(forced, DType.FLOAT32, 20, 30);
        Tensor b = rand(forced, DType.FLOAT64, 30, 10);
        Tensor c0 = REF.zeros(DType.FLOAT64, 20, 10);
        Tensor c1 = forced.zeros(DType.FLOAT64, 20, 10);
        long gemms = forced.nativeGemmCount();
        REF.gemm(false, false, 1, a, b, 0, c0);
        forced.gemm(false, false, 1, a, b, 0, c1);
        assertEquals(gemms, forced.nativeGemmCount());
        assertArrayEquals(c0.toDoubleArray(), c1.toDoubleArray());
    }

    @Test
    void mismatchedShapesAreReportedLikeTheReference() {
        ConvGeometry g = ConvGeometry.of(6, 6, 3, 3, 1, 1, Padding.SAME);
        Tensor x = forced.zeros(DType.FLOAT32, 2, 3, 6, 6);
        Tensor w = forced.zeros(DType.FLOAT32, 4, 2, 3, 3); // 2 input channels, x has 3
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> forced.conv2dForward(x, w, null, g, forced.zeros(DType.FLOAT32, 2, 4, 6, 6)));
        assertTrue(e.getMessage().contains("conv weights"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> forced.gemm(false, false, 1, forced.zeros(DType.FLOAT32, 3, 4), forced.zeros(DType.FLOAT32, 5, 6), 0,
                        forced.zeros(DType.FLOAT32, 3, 6)));
    }

    @Test
    void scratchIsReusedAndFreedByClose() {
        Nd4jBackend be = new Nd4jBackend(0, 0);
        try {
            ConvGeometry g = ConvGeometry.of(12, 12, 3, 3, 1, 1, Padding.SAME);
            long peak = 0;
            for (int i = 0; i < 300; i++) {
                int n = 1 + i % 45;
                Tensor x = rand(be, DType.FLOAT32, n, 3, 12, 12);
                Tensor w = rand(be, DType.FLOAT32, 4, 3, 3, 3);
                Tensor y = be.zeros(DType.FLOAT32, n, 4, 12, 12);
                be.conv2dForward(x, w, null, g, y);
                be.conv2dBackward(x, w, y, g, be.zeros(DType.FLOAT32, n, 3, 12, 12), be.zeros(DType.FLOAT32, 4, 3, 3, 3),
                        be.zeros(DType.FLOAT32, 4));
                be.gemm(false, true, 1, rand(be, DType.FLOAT32, n, 30), rand(be, DType.FLOAT32, 20, 30), 0,
                        be.zeros(DType.FLOAT32, n, 20));
                peak = Math.max(peak, scratchOf(be).offHeapBytes());
            }
            // buffers grow to the widest chunk seen (45 examples side by side: 2 column matrices of 27×6480 floats
            // and 2 of 4×6480, ~1.5 MB) and are reused, never allocated per call
            assertTrue(peak < 2 * 1024 * 1024, "off-heap scratch " + peak);
            be.close();
            assertEquals(0, scratchOf(be).offHeapBytes());
            // usable after close
            Tensor y = be.zeros(DType.FLOAT32, 1, 4, 12, 12);
            be.conv2dForward(rand(be, DType.FLOAT32, 1, 3, 12, 12), rand(be, DType.FLOAT32, 4, 3, 3, 3), null, g, y);
            assertTrue(be.sumAbs(y) > 0);
        } finally {
            be.close();
        }
    }

    @Test
    void threadsDoNotShareScratch() throws Exception {
        ConvGeometry g = ConvGeometry.of(10, 10, 3, 3, 1, 1, Padding.SAME);
        Tensor x = rand(forced, DType.FLOAT32, 4, 3, 10, 10);
        Tensor w = rand(forced, DType.FLOAT32, 5, 3, 3, 3);
        Tensor expected = forced.zeros(DType.FLOAT32, 4, 5, 10, 10);
        REF.conv2dForward(x, w, null, g, expected);
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        Tensor y = forced.zeros(DType.FLOAT32, 4, 5, 10, 10);
                        forced.conv2dForward(x, w, null, g, y);
                        assertClose("thread conv", expected.toDoubleArray(), y.toDoubleArray(), FLOAT_TOL);
                    }
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            fail(failure[0]);
        }
    }

    private static Scratch scratchOf(Nd4jBackend be) {
        try {
            java.lang.reflect.Field f = Nd4jBackend.class.getDeclaredField("scratch");
            f.setAccessible(true);
            @SuppressWarnings("unchecked")
            ThreadLocal<Scratch> tl = (ThreadLocal<Scratch>) f.get(be);
            return tl.get();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

}
