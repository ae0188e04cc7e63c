package dev.tandem.learning.nn;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference checks of every layer's backward pass, in double on the Java reference backend. */
class LayerGradientTest {
    private static final JavaBackend BACKEND = new JavaBackend();

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("dense", new Dense.Spec(5), new int[] {7}),
                Arguments.of("dense over [C,H,W]", new Dense.Spec(3), new int[] {2, 3, 2}),
                Arguments.of("conv2d 3x3 same", Conv2d.Spec.same(4, 3), new int[] {3, 6, 5}),
                Arguments.of("conv2d 2x2 same (even kernel)", Conv2d.Spec.same(2, 2), new int[] {2, 5, 4}),
                Arguments.of("conv2d 3x3 stride 2 same", new Conv2d.Spec(3, 3, 3, 2, 2, Padding.SAME), new int[] {2, 7, 6}),
                Arguments.of("conv2d 3x2 stride 2x1 valid", new Conv2d.Spec(3, 3, 2, 2, 1, Padding.VALID), new int[] {2, 7, 6}),
                Arguments.of("conv2d 5x5 same", Conv2d.Spec.same(2, 5), new int[] {1, 6, 6}),
                Arguments.of("conv1d k5 same", new Conv1d.Spec(3, 5, 1, Padding.SAME), new int[] {2, 11}),
                Arguments.of("conv1d k4 stride 3 same", new Conv1d.Spec(2, 4, 3, Padding.SAME), new int[] {3, 16}),
                Arguments.of("conv1d k3 stride 2 valid", new Conv1d.Spec(2, 3, 2, Padding.VALID), new int[] {2, 9}),
                Arguments.of("batchnorm dense", BatchNorm.Spec.defaults(), new int[] {4}),
                Arguments.of("batchnorm 1d", BatchNorm.Spec.defaults(), new int[] {3, 5}),
                Arguments.of("batchnorm 2d", BatchNorm.Spec.defaults(), new int[] {2, 3, 4}),
                Arguments.of("maxpool 2x2", MaxPool.Spec.square(2), new int[] {2, 4, 6}),
                Arguments.of("maxpool 2x2 odd size", MaxPool.Spec.square(2), new int[] {2, 5, 5}),
                Arguments.of("maxpool 1d", MaxPool.Spec.of1d(2), new int[] {3, 9}),
                Arguments.of("dropout", new Dropout.Spec(0.5), new int[] {3, 4}),
                Arguments.of("relu", new ActivationLayer.Spec(Activation.RELU), new int[] {12}),
                Arguments.of("elu", new ActivationLayer.Spec(Activation.ELU), new int[] {12}),
                Arguments.of("sigmoid", new ActivationLayer.Spec(Activation.SIGMOID), new int[] {12}),
                Arguments.of("tanh", new ActivationLayer.Spec(Activation.TANH), new int[] {12}),
                Arguments.of("softmax", new Softmax.Spec(), new int[] {6}),
                Arguments.of("flatten", new Flatten.Spec(), new int[] {2, 3}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void backwardMatchesFiniteDifferences(String name, LayerSpec spec, int[] inShape) {
        Layer layer = spec.build(BACKEND, DType.FLOAT64, inShape, 11);
        int[] batchShape = Shapes.prepend(3, inShape);
        Tensor x = BACKEND.fromHost(GradientCheck.random(Shapes.size(batchShape), 5), batchShape);
        randomizeParams(layer, 17);
        GradientCheck.Result r = GradientCheck.check(layer, x, Pass.training(99), 23);
        assertTrue(r.checked() > 0, name + ": nothing checked");
    }

    @Test
    void convolutionOutputShapesFollowTheGeometry() {
        Layer same = new Conv2d.Spec(4, 3, 3, 2, 2, Padding.SAME).build(BACKEND, DType.FLOAT64, new int[] {1, 7, 6}, 1);
        assertArrayEquals(new int[] {4, 4, 3}, same.outputShape());
        Layer valid = new Conv1d.Spec(2, 64, 16, Padding.SAME).build(BACKEND, DType.FLOAT64, new int[] {4, 2048}, 1);
        assertArrayEquals(new int[] {2, 128}, valid.outputShape());
    }

    @Test
    void wholeSmallCnnMatchesFiniteDifferences() {
        Sequential model = new Sequential(BACKEND, DType.FLOAT64, new int[] {1, 6, 6}, java.util.List.of(
                BatchNorm.Spec.defaults(), Conv2d.Spec.same(2, 3), ActivationLayer.relu(), MaxPool.Spec.square(2),
                BatchNorm.Spec.defaults(), new Flatten.Spec(), new Dropout.Spec(0.3), new Dense.Spec(3)), 3);
        Tensor x = BACKEND.fromHost(GradientCheck.random(4 * 36, 8), 4, 1, 6, 6);
        GradientCheck.checkModel(model, x, Pass.training(5), 9);
    }

    static void randomizeParams(Layer layer, long seed) {
        long s = seed;
        for (Param p : layer.params()) {
            double[] v = GradientCheck.random(p.value().size(), s++);
            if (p.name().equals("gamma")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = 1 + 0.5 * v[i];
                }
            }
            p.value().backend().copyFromHost(v, p.value());
        }
    }
}
