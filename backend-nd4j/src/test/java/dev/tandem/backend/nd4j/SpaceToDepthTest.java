package dev.tandem.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * The space-to-depth rewrite's own algebra (the convolutions themselves are checked against the Java reference in
 * {@link Nd4jBackendParityTest}): which geometries it takes, the stride-1 geometry it builds, and that the gradient
 * maps are the adjoints of the forward maps.
 */
class SpaceToDepthTest {
    @Test
    void takesStridesWhoseKernelIsMostlyWholeStrides() {
        assertTrue(SpaceToDepth.applies(ConvGeometry.of(1, 2048, 1, 64, 1, 16, Padding.SAME))); // W3 conv 1
        assertTrue(SpaceToDepth.applies(ConvGeometry.of(1, 40, 1, 7, 1, 2, Padding.VALID)));    // 7 of 8 taps
        assertFalse(SpaceToDepth.applies(ConvGeometry.of(1, 40, 1, 3, 1, 1, Padding.SAME)));    // stride 1
        assertFalse(SpaceToDepth.applies(ConvGeometry.of(9, 9, 3, 3, 2, 2, Padding.SAME)));     // 9 of 16 taps
        assertFalse(SpaceToDepth.applies(ConvGeometry.of(1, 40, 1, 1, 1, 2, Padding.VALID)));   // 1 of 2 taps
    }

    @Test
    void w3FirstConvolutionBecomesFourTapsOf64Channels() {
        SpaceToDepth sd = new SpaceToDepth(4, ConvGeometry.of(1, 2048, 1, 64, 1, 16, Padding.SAME));
        assertEquals(64, sd.c1);
        assertEquals(new ConvGeometry(1, 131, 1, 4, 1, 1, 0, 0, 1, 128), sd.g1);
        assertEquals(64 * 131, sd.inPer1());
    }

    @Test
    void weightGradientMapUndoesTheWeightMap() {
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.of(1, 2048, 1, 64, 1, 16, Padding.SAME),
                ConvGeometry.of(7, 11, 3, 5, 1, 2, Padding.SAME), new ConvGeometry(5, 9, 2, 4, 2, 2, 3, 5, 5, 7)}) {
            int c = 3;
            int o = 2;
            SpaceToDepth sd = new SpaceToDepth(c, g);
            float[] w = random(o * c * g.kernelH() * g.kernelW(), 1);
            float[] w1 = new float[sd.weights1(o)];
            sd.weights(w, o, w1);
            float[] back = new float[w.length];
            sd.weightGradient(w1, o, back);
            assertArrayEquals(w, back, g.toString());
        }
    }

    @Test
    void inputGradientIsTheAdjointOfTheInputMap() {
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.of(1, 50, 1, 8, 1, 4, Padding.SAME),
                ConvGeometry.of(7, 11, 3, 5, 1, 2, Padding.SAME), new ConvGeometry(5, 9, 2, 4, 2, 2, 3, 5, 5, 7),
                new ConvGeometry(1, 50, 1, 8, 1, 4, 0, -3, 1, 10), ConvGeometry.of(1, 40, 1, 7, 1, 2, Padding.VALID)}) {
            int n = 3;
            int c = 2;
            SpaceToDepth sd = new SpaceToDepth(c, g);
            float[] x = random(n * c * g.inH() * g.inW(), 2);
            float[] v = random(n * sd.inPer1(), 3);
            float[] x1 = new float[v.length];
            sd.input(x, 0, n, x1);
            float[] dx = random(x.length, 4); // stale values must be overwritten
            sd.inputGradient(v, 0, n, dx);
            // <S x, v> = <x, Sᵀ v>
            assertEquals(dot(x1, v), dot(x, dx), 1e-9 * x.length, g.toString());
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
