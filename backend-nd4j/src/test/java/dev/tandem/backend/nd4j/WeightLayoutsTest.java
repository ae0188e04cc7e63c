package dev.tandem.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kept weight layouts are never stale: a layout is reused only while the very same array holds bit for bit
 * the same values, and a convolution whose weights were changed in place gives what a backend that never saw
 * them before gives.
 */
class WeightLayoutsTest {
    private static final WeightLayouts.Key KEY = new WeightLayouts.Key("reverse", 1, 4, 1, 1, 1, 1);

    private static void reverse(float[] w, float[] out, AtomicInteger calls) {
        calls.incrementAndGet();
        for (int i = 0; i < 4; i++) {
            out[i] = w[3 - i];
        }
    }

    @Test
    void aLayoutIsReusedOnlyWhileTheWeightsAreUnchanged() {
        WeightLayouts cache = new WeightLayouts();
        AtomicInteger calls = new AtomicInteger();
        float[] w = {1, 2, 3, 0f};
        float[] first = cache.heap(w, 4, KEY, 4, (s, o) -> reverse(s, o, calls));
        assertArrayEquals(new float[] {0f, 3, 2, 1}, java.util.Arrays.copyOf(first, 4));
        cache.heap(w, 4, KEY, 4, (s, o) -> reverse(s, o, calls));
        assertEquals(1, calls.get(), "unchanged weights are not laid out again");

        w[3] = -0f; // equal as a number, not as bits: laid out again
        float[] second = cache.heap(w, 4, KEY, 4, (s, o) -> reverse(s, o, calls));
        assertEquals(2, calls.get());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(second[0]));

        w[1] = 7;
        assertArrayEquals(new float[] {-0f, 3, 7, 1},
                java.util.Arrays.copyOf(cache.heap(w, 4, KEY, 4, (s, o) -> reverse(s, o, calls)), 4));
        assertEquals(3, calls.get());

        // an equal copy is another array: its own entry
        float[] copy = w.clone();
        assertNotSame(first, cache.heap(copy, 4, KEY, 4, (s, o) -> reverse(s, o, calls)));
        assertEquals(4, calls.get());
        // another key on the same array: its own entry too
        cache.heap(w, 4, new WeightLayouts.Key("reverse", 2, 2, 1, 1, 1, 1), 4, (s, o) -> reverse(s, o, calls));
        assertEquals(5, calls.get());
        assertSame(first, cache.heap(w, 4, KEY, 4, (s, o) -> reverse(s, o, calls)));
        assertEquals(5, calls.get());
    }

    @Test
    void moreWeightsThanEntriesEvictTheLeastRecentlyUsed() {
        WeightLayouts cache = new WeightLayouts();
        AtomicInteger calls = new AtomicInteger();
        float[][] ws = new float[WeightLayouts.ENTRIES + 3][];
        for (int k = 0; k < ws.length; k++) {
            ws[k] = new float[] {k, k + 1, k + 2, k + 3};
            cache.heap(ws[k], 4, KEY, 4, (s, o) -> reverse(s, o, calls));
        }
        assertEquals(ws.length, calls.get());
        // the newest ENTRIES are kept, the first three were replaced
        for (int k = ws.length - WeightLayouts.ENTRIES; k < ws.length; k++) {
            cache.heap(ws[k], 4, KEY, 4, (s, o) -> reverse(s, o, calls));
        }
        assertEquals(ws.length, calls.get());
        float[] again = cache.heap(ws[0], 4, KEY, 4, (s, o) -> reverse(s, o, calls));
        assertEquals(ws.length + 1, calls.get());
        assertArrayEquals(new float[] {3, 2, 1, 0}, java.util.Arrays.copyOf(again, 4));
    }

    @Test
    void theNativeCopyFollowsTheWeights() {
        WeightLayouts cache = new WeightLayouts();
        float[] w = {1, 2, 3, 4, 5, 6};
        float[] got = new float[6];
        cache.copy(w, 2, 3).get(got);
        assertArrayEquals(w, got);
        w[5] = 60;
        cache.copy(w, 2, 3).get(got);
        assertArrayEquals(w, got);
        cache.close();
        assertEquals(0, cache.offHeapBytes());
    }

    /**
     * Convolutions on every kernel that keeps layouts (taps 1-D, space-to-depth, taps 2-D, the shifted and im2col
     * paths), forward and backward, with the weights changed in place between calls as an optimizer does: each
     * result equals, bit for bit, that of a fresh backend.
     */
    @Test
    void convolutionsFollowWeightsChangedInPlace() {
        ConvGeometry[] geometries = {
                ConvGeometry.of(1, 32, 1, 3, 1, 1, Padding.SAME),      // W3's blocks: tapconv1d
                ConvGeometry.of(1, 256, 1, 64, 1, 16, Padding.SAME),   // W3's first: space-to-depth
                ConvGeometry.of(6, 7, 3, 3, 1, 1, Padding.SAME),       // 2-D stride 1
                ConvGeometry.of(9, 9, 5, 5, 1, 1, Padding.SAME),       // 2-D, many taps
                ConvGeometry.of(9, 9, 3, 3, 2, 2, Padding.SAME)};      // strided 2-D: im2col
        int[] channels = {8, 4, 5, 3, 3};
        Nd4jBackend warm = new Nd4jBackend();
        Random r = new Random(11);
        try {
            for (int k = 0; k < geometries.length; k++) {
                ConvGeometry g = geometries[k];
                int c = channels[k];
                int o = 6;
                for (int n : new int[] {1, 3}) {
                    Tensor x = random(warm, r, n, c, g.inH(), g.inW());
                    Tensor w = random(warm, r, o, c, g.kernelH(), g.kernelW());
                    Tensor dy = random(warm, r, n, o, g.outH(), g.outW());
                    for (int step = 0; step < 3; step++) {
                        Nd4jBackend cold = new Nd4jBackend();
                        try {
                            Tensor yWarm = warm.zeros(DType.FLOAT32, n, o, g.outH(), g.outW());
                            warm.conv2dForward(x, w, null, g, yWarm);
                            Tensor yCold = cold.zeros(DType.FLOAT32, n, o, g.outH(), g.outW());
                            cold.conv2dForward(copy(cold, x), copy(cold, w), null, g, yCold);
                            String at = g + " n=" + n + " step " + step;
                            assertArrayEquals(yCold.toFloatArray(), yWarm.toFloatArray(), "forward " + at);

                            Tensor dxWarm = warm.zeros(DType.FLOAT32, n, c, g.inH(), g.inW());
                            Tensor dwWarm = warm.zeros(DType.FLOAT32, o, c, g.kernelH(), g.kernelW());
                            warm.conv2dBackward(x, w, dy, g, dxWarm, dwWarm, null);
                            Tensor dxCold = cold.zeros(DType.FLOAT32, n, c, g.inH(), g.inW());
                            Tensor dwCold = cold.zeros(DType.FLOAT32, o, c, g.kernelH(), g.kernelW());
                            cold.conv2dBackward(copy(cold, x), copy(cold, w), copy(cold, dy), g, dxCold, dwCold, null);
                            assertArrayEquals(dxCold.toFloatArray(), dxWarm.toFloatArray(), "input gradient " + at);
                            assertArrayEquals(dwCold.toFloatArray(), dwWarm.toFloatArray(), "weight gradient " + at);
                        } finally {
                            cold.close();
                        }
                        // an optimizer step: the same weight array, new values (one element only at step 1)
                        float[] v = w.toFloatArray();
                        if (step == 0) {
                            for (int i = 0; i < v.length; i++) {
                                v[i] -= 0.01f * (float) r.nextGaussian();
                            }
                        } else {
                            v[v.length / 2] += 0.5f;
                        }
                        warm.copyFromHost(v, w);
                    }
                }
            }
        } finally {
            warm.close();
        }
    }

    @Test
    void unchangedWeightsAreLaidOutOnce() {
        Nd4jBackend be = new Nd4jBackend();
        try {
            ConvGeometry g = ConvGeometry.of(1, 16, 1, 3, 1, 1, Padding.SAME);
            Random r = new Random(3);
            Tensor x = random(be, r, 1, 64, 1, 16);
            Tensor w = random(be, r, 64, 64, 1, 3);
            Tensor y = be.zeros(DType.FLOAT32, 1, 64, 1, 16);
            WeightLayouts layouts = be.callerScratch().layouts;
            long missesBefore = layouts.misses();
            long hitsBefore = layouts.hits();
            for (int i = 0; i < 5; i++) {
                be.conv2dForward(x, w, null, g, y);
            }
            assertTrue(layouts.hits() - hitsBefore >= 4, "hits " + (layouts.hits() - hitsBefore));
            assertEquals(1, layouts.misses() - missesBefore);
        } finally {
            be.close();
        }
    }

    private static Tensor random(Nd4jBackend be, Random r, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return be.fromHost(v, shape);
    }

    private static Tensor copy(Nd4jBackend be, Tensor t) {
        return be.fromHost(t.toFloatArray(), t.shape());
    }
}
