package dev.tandem.backend.nd4j;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN convolution path ({@link OneDnnConv}, on the oneDNN build that Tandem ships) against the plain-Java
 * reference, forward and backward, for every shape class it is routed: 2-D and 1-D, SAME (even and odd total
 * padding, libnd4j's SAME mode) and VALID, strided, 1×1, one example (one call with an OpenMP team) and batches
 * split across the workers (weight-gradient partials summed), with and without a bias. Each case also asserts
 * from {@link Nd4jBackend#kernelChoices()} which path ran, so a routing change cannot pass silently; the backward
 * pass without an input gradient must stay on Tandem's own paths.
 */
class OneDnnConvParityTest {
    private static final JavaBackend REF = new JavaBackend();
    private static final Nd4jBackend ND = new Nd4jBackend(0, 0, 0);

    @AfterAll
    static void close() {
        ND.close();
    }

    private record Case(String name, int n, int c, int o, ConvGeometry g) {
    }

    private static final Case[] CASES = {
        new Case("W1 conv2-like 5x5 SAME, batch split", 4, 16, 8, ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME)),
        new Case("W1 conv1-like 1 channel", 3, 1, 4, ConvGeometry.of(12, 12, 5, 5, 1, 1, Padding.SAME)),
        new Case("W2-like 3x3 SAME, one example", 1, 6, 8, ConvGeometry.of(9, 11, 3, 3, 1, 1, Padding.SAME)),
        new Case("W2-like 3x3 SAME, batch 3 on 2 workers", 3, 5, 8, ConvGeometry.of(8, 8, 3, 3, 1, 1, Padding.SAME)),
        new Case("odd total pad (libnd4j SAME mode)", 2, 3, 4, ConvGeometry.of(10, 6, 4, 4, 1, 1, Padding.SAME)),
        new Case("2-D strided VALID", 2, 3, 4, ConvGeometry.of(9, 9, 3, 3, 2, 2, Padding.VALID)),
        new Case("W3 conv1-like 1-D k16 s4 SAME", 5, 4, 6, ConvGeometry.of(1, 128, 1, 16, 1, 4, Padding.SAME)),
        new Case("W3 block-like 1-D k3 SAME", 6, 8, 16, ConvGeometry.of(1, 32, 1, 3, 1, 1, Padding.SAME)),
        new Case("W3 last block 1-D k3 VALID", 6, 16, 16, ConvGeometry.of(1, 8, 1, 3, 1, 1, Padding.VALID)),
    };

    @Test
    void everyRoutedShapeMatchesTheReference() {
        Nd4jRuntime.require();
        assertTrue(NativeBuild.select().oneDnn(), "the shipped build is the oneDNN one: " + NativeBuild.select());
        assertTrue(ND.oneDnnConvolutions());
        Random r = new Random(11);
        for (Case cs : CASES) {
            for (boolean withBias : new boolean[] {true, false}) {
                check(cs, withBias, r);
            }
        }
        Map<String, String> choices = ND.kernelChoices();
        for (Case cs : CASES) {
            ConvGeometry g = cs.g();
            String shape = String.format("[%d,%d,%d,%d]->%d k%dx%d s%dx%d", cs.n(), cs.c(), g.inH(), g.inW(), cs.o(),
                    g.kernelH(), g.kernelW(), g.strideH(), g.strideW());
            assertEquals("onednn", choices.get("conv2d forward " + shape), cs.name() + ": " + choices);
            assertEquals("onednn", choices.get("conv2d backward " + shape), cs.name() + ": " + choices);
            String noDx = choices.get("conv2d backward " + shape + " (no dx)");
            assertNotNull(noDx, cs.name() + ": " + choices);
            assertFalse(noDx.equals("onednn"), cs.name() + " without dx should stay on Tandem's path: " + noDx);
        }
    }

    private static void check(Case cs, boolean withBias, Random r) {
        ConvGeometry g = cs.g();
        String label = cs.name() + (withBias ? "" : ", no bias");
        Tensor x = rand(r, cs.n(), cs.c(), g.inH(), g.inW());
        Tensor w = rand(r, cs.o(), cs.c(), g.kernelH(), g.kernelW());
        Tensor b = withBias ? rand(r, cs.o()) : null;
        Tensor y0 = REF.zeros(DType.FLOAT32, cs.n(), cs.o(), g.outH(), g.outW());
        Tensor y1 = ND.zeros(DType.FLOAT32, cs.n(), cs.o(), g.outH(), g.outW());
        REF.conv2dForward(x, w, b, g, y0);
        ND.conv2dForward(x, w, b, g, y1);
        Nd4jBackendParityTest.assertClose(label + " forward", y0.toDoubleArray(), y1.toDoubleArray(), 1e-4);
        Tensor dy = rand(r, cs.n(), cs.o(), g.outH(), g.outW());
        Tensor dx0 = REF.zeros(DType.FLOAT32, cs.n(), cs.c(), g.inH(), g.inW());
        Tensor dw0 = REF.zeros(DType.FLOAT32, cs.o(), cs.c(), g.kernelH(), g.kernelW());
        Tensor db0 = REF.zeros(DType.FLOAT32, cs.o());
        REF.conv2dBackward(x, w, dy, g, dx0, dw0, db0);
        // stale values in the outputs must be overwritten, not accumulated
        Tensor dx1 = rand(r, cs.n(), cs.c(), g.inH(), g.inW());
        Tensor dw1 = rand(r, cs.o(), cs.c(), g.kernelH(), g.kernelW());
        Tensor db1 = rand(r, cs.o());
        ND.conv2dBackward(x, w, dy, g, dx1, dw1, db1);
        Nd4jBackendParityTest.assertClose(label + " dx", dx0.toDoubleArray(), dx1.toDoubleArray(), 1e-4);
        Nd4jBackendParityTest.assertClose(label + " dw", dw0.toDoubleArray(), dw1.toDoubleArray(), 1e-4);
        Nd4jBackendParityTest.assertClose(label + " db", db0.toDoubleArray(), db1.toDoubleArray(), 1e-4);
        Tensor dw2 = rand(r, cs.o(), cs.c(), g.kernelH(), g.kernelW());
        ND.conv2dBackward(x, w, dy, g, null, dw2, null);
        Nd4jBackendParityTest.assertClose(label + " dw without dx", dw0.toDoubleArray(), dw2.toDoubleArray(), 1e-4);
    }

    @Test
    void smallConvolutionsStayOnTandemsPathsByDefault() {
        Nd4jBackend defaults = new Nd4jBackend(0, 0);
        Random r = new Random(4);
        ConvGeometry g = ConvGeometry.of(1, 32, 1, 3, 1, 1, Padding.SAME); // W3-sized: 32 x 32 -> 64, 6 M MACs
        Tensor x = rand(r, 32, 32, 1, 32);
        Tensor w = rand(r, 64, 32, 1, 3);
        defaults.conv2dForward(x, w, null, g, defaults.zeros(DType.FLOAT32, 32, 64, 1, 32));
        assertEquals("tapconv1d", defaults.kernelChoices().get("conv2d forward [32,32,1,32]->64 k1x3 s1x1"));
        ConvGeometry g2 = ConvGeometry.of(14, 14, 5, 5, 1, 1, Padding.SAME); // W1 conv2 at batch 4: 40 M MACs
        Tensor x2 = rand(r, 4, 32, 14, 14);
        Tensor w2 = rand(r, 64, 32, 5, 5);
        defaults.conv2dForward(x2, w2, null, g2, defaults.zeros(DType.FLOAT32, 4, 64, 14, 14));
        assertEquals("onednn", defaults.kernelChoices().get("conv2d forward [4,32,14,14]->64 k5x5 s1x1"));
        defaults.close();
    }

    @Test
    void oneByOneConvolutionsStayOnTheOpenBlasPath() {
        Case cs = new Case("1x1 output conv", 2, 7, 3, ConvGeometry.of(6, 5, 1, 1, 1, 1, Padding.SAME));
        check(cs, true, new Random(2));
        Map<String, String> choices = ND.kernelChoices();
        assertEquals("shifted-im2col", choices.get("conv2d forward [2,7,6,5]->3 k1x1 s1x1"), choices.toString());
        assertEquals("shifted-im2col", choices.get("conv2d backward [2,7,6,5]->3 k1x1 s1x1"), choices.toString());
    }

    @Test
    void geometriesNoLibnd4jModeReproducesStayOffTheOneDnnPath() {
        // libnd4j's SAME mode would pad H by −1 here
        assertNull(OneDnnConv.convArgs(ConvGeometry.of(8, 6, 1, 4, 4, 1, Padding.SAME)));
        assertFalse(OneDnnConv.supports(ConvGeometry.of(8, 6, 1, 4, 4, 1, Padding.SAME)));
        assertNotNull(OneDnnConv.convArgs(ConvGeometry.of(28, 28, 5, 5, 1, 1, Padding.SAME)));
    }

    @Test
    void theBuildChoiceFollowsTheCpu() {
        java.util.Set<String> avx2 = java.util.Set.of("sse4_2", "avx", "avx2", "fma");
        java.util.Set<String> old = java.util.Set.of("sse4_2", "avx");
        java.util.function.Predicate<String> shipped = e -> e.equals("-onednn-avx2");
        assertEquals("-onednn-avx2", NativeBuild.choose(avx2, shipped));
        assertNull(NativeBuild.choose(old, shipped), "an AVX-only CPU cannot run the oneDNN AVX2 build");
        java.util.function.Predicate<String> both = e -> e.equals("-onednn-avx2") || e.isEmpty();
        assertEquals("", NativeBuild.choose(old, both), "the generic build where one is on the class path");
    }

    @Test
    void anUnknownPolicyIsRefusedNamingTheProperty() {
        System.setProperty(Nd4jBackend.ONEDNN_PROPERTY, "fast");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Nd4jBackend::new);
            assertTrue(e.getMessage().contains(Nd4jBackend.ONEDNN_PROPERTY) && e.getMessage().contains("auto, off"),
                    e.getMessage());
            System.setProperty(Nd4jBackend.ONEDNN_PROPERTY, "off");
            Nd4jBackend off = new Nd4jBackend(0, 0, 0);
            assertFalse(off.oneDnnConvolutions());
            ConvGeometry g = ConvGeometry.of(8, 8, 3, 3, 1, 1, Padding.SAME);
            Random r = new Random(5);
            Tensor x = rand(r, 2, 3, 8, 8);
            Tensor w = rand(r, 4, 3, 3, 3);
            off.conv2dForward(x, w, null, g, off.zeros(DType.FLOAT32, 2, 4, 8, 8));
            assertEquals("shifted-im2col", off.kernelChoices().get("conv2d forward [2,3,8,8]->4 k3x3 s1x1"));
            off.close();
        } finally {
            System.clearProperty(Nd4jBackend.ONEDNN_PROPERTY);
        }
    }

    private static Tensor rand(Random r, int... shape) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return REF.fromHost(a, shape);
    }
}
