package dev.tandem.models.gearbox;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.Conv1d;
import dev.tandem.learning.nn.Layer;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GearboxCnnTest {
    private static final JavaBackend BACKEND = new JavaBackend();

    @Test
    void defaultNetworkHasAlgorithmsMdsParameterCountForFourChannelsAndTenClasses() {
        Sequential m = GearboxCnn.build(BACKEND, DType.FLOAT32, 4, 2048, 10, 1);
        assertEquals(57_382L, m.parameterCount(), "ALGORITHMS.md: about 57k; the PyTorch peer asserts 57,382");
        assertEquals(GearboxCnn.PARAMETERS_4CH_2048_10, m.parameterCount());
        assertEquals(m.parameterCount(), GearboxCnn.parameterCount(4, 2048, 10));
        assertArrayEquals(new int[] {10}, m.outputShape());
    }

    @Test
    void layerShapesFollowWdcnnFor2048And1024SampleWindows() {
        Sequential m = GearboxCnn.build(BACKEND, DType.FLOAT32, 4, 2048, 10, 1);
        List<Layer> layers = m.layers();
        assertArrayEquals(new int[] {16, 128}, layers.get(0).outputShape(), "conv 64/16 with pad 24");
        assertArrayEquals(new int[] {16, 64}, layers.get(3).outputShape());
        assertArrayEquals(new int[] {32, 32}, layers.get(7).outputShape());
        assertArrayEquals(new int[] {64, 16}, layers.get(11).outputShape());
        assertArrayEquals(new int[] {64, 8}, layers.get(15).outputShape());
        assertArrayEquals(new int[] {64, 6}, layers.get(16).outputShape(), "last conv without padding");
        assertArrayEquals(new int[] {64, 3}, layers.get(19).outputShape());
        assertArrayEquals(new int[] {192}, layers.get(20).outputShape());

        Sequential small = GearboxCnn.build(BACKEND, DType.FLOAT32, 2, 1024, 10, 1);
        assertArrayEquals(new int[] {64}, small.layers().get(20).outputShape());
        assertEquals(GearboxCnn.parameterCount(2, 1024, 10), small.parameterCount());
        assertEquals(57_382L - 2 * 64 * 16 - 192 * 100 + 64 * 100, small.parameterCount());

        Tensor x = BACKEND.fromHost(GradientCheck.random(3 * 2 * 1024, 4), 3, 2, 1024);
        Tensor y = small.forward(x, Pass.INFERENCE);
        assertArrayEquals(new int[] {3, 10}, y.shape());
        Tensor x2 = BACKEND.fromHost(GradientCheck.random(2 * 4 * 2048, 4), 2, 4, 2048);
        assertArrayEquals(new int[] {2, 10}, m.forward(x2, Pass.training(1)).shape());
    }

    @Test
    void firstConvolutionPadsLikePyTorchPad24() {
        Sequential m = GearboxCnn.build(BACKEND, DType.FLOAT32, 4, 2048, 10, 1);
        Conv1d conv = (Conv1d) m.layers().get(0);
        assertEquals(16, ((Conv1d.Spec) conv.spec()).stride());
        var g = dev.tandem.learning.tensor.ConvGeometry.of(1, 2048, 1, 64, 1, 16,
                dev.tandem.learning.tensor.ConvGeometry.Padding.SAME);
        assertEquals(24, g.padLeft());
        assertEquals(24, g.padRight());
        var g1024 = dev.tandem.learning.tensor.ConvGeometry.of(1, 1024, 1, 64, 1, 16,
                dev.tandem.learning.tensor.ConvGeometry.Padding.SAME);
        assertEquals(24, g1024.padLeft());
        assertEquals(24, g1024.padRight());
    }

    @Test
    void tooShortWindowsAreRefusedWithTheMinimum() {
        int min = GearboxCnn.minimumWindow(GearboxCnn.DEFAULT);
        assertEquals(1009, min, "ceil(L/16) must reach 64 so that the last convolution leaves 2 samples to pool");
        GearboxCnn.build(BACKEND, DType.FLOAT32, 1, min, 3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GearboxCnn.build(BACKEND, DType.FLOAT32, 1, min - 1, 3, 1));
        assertTrue(e.getMessage().contains("window") && e.getMessage().contains(">= " + min), e.getMessage());
    }

    @Test
    void tinyVariantMatchesFiniteDifferences() {
        GearboxCnn.Shape tiny = new GearboxCnn.Shape(3, 8, 4, new int[] {4, 3}, 3, 5);
        Sequential m = GearboxCnn.build(tiny, BACKEND, DType.FLOAT64, 2, 96, 3, 13);
        assertEquals(GearboxCnn.parameterCount(tiny, 2, 96, 3), m.parameterCount());
        long s = 31;
        for (Param p : m.params()) {
            double[] v = GradientCheck.random(p.value().size(), s++);
            if (p.name().equals("gamma")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = 1 + 0.5 * v[i];
                }
            }
            BACKEND.copyFromHost(v, p.value());
        }
        Tensor x = BACKEND.fromHost(GradientCheck.random(4 * 2 * 96, 8), 4, 2, 96);
        GradientCheck.Result r = GradientCheck.checkModel(m, x, Pass.training(3), 9);
        assertTrue(r.checked() > m.parameterCount(), "every parameter and input checked");
    }

}
