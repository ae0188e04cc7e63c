package dev.tandem.learning.nn;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.loss.SoftmaxCrossEntropy;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.testing.GradientCheck;
import dev.tandem.learning.train.SupervisedObjective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Locally adaptive activations and slope recovery (ALGORITHMS.md §3). */
class AdaptiveActivationTest {
    private static final double TOL = 1e-8;
    private static final JavaBackend BACKEND = new JavaBackend();

    // ---- golden values: D − 1 = 4 hidden layers, every a = 1/n ----------------------------------------------

    @ParameterizedTest(name = "L-LAAF n = {0}")
    @CsvSource({"1, 0.367879441, -0.091969860", "2, 0.606530660, -0.151632665", "5, 0.818730753, -0.204682688",
            "10, 0.904837418, -0.226209355"})
    void layerWiseGoldenValues(double n, double s, double dsda) {
        SlopeRecovery sr = recovery(4, AdaptiveActivation.Spec.layerWise(Activation.TANH, n), new int[] {7});
        assertEquals(s, sr.value(), TOL);
        zeroSlopeGrads(sr);
        assertEquals(s, sr.addGradient(), TOL, "W_a = 1: the loss term is S");
        for (AdaptiveActivation l : sr.layers()) {
            assertArrayEquals(new double[] {dsda}, l.slope().grad().toDoubleArray(), TOL);
        }
    }

    @Test
    void neuronWiseGoldenValue() {
        SlopeRecovery sr = recovery(4, AdaptiveActivation.Spec.neuronWise(Activation.TANH, 10), new int[] {50});
        assertEquals(0.904837418, sr.value(), TOL);
        zeroSlopeGrads(sr);
        sr.addGradient();
        for (AdaptiveActivation l : sr.layers()) {
            double[] g = l.slope().grad().toDoubleArray();
            assertEquals(50, g.length);
            for (double v : g) {
                assertEquals(-0.004524187, v, TOL);
            }
        }
    }

    @Test
    void slopeRecoveryWeightScalesValueAndGradient() {
        SlopeRecovery one = recovery(4, AdaptiveActivation.Spec.layerWise(Activation.TANH, 2), new int[] {3});
        SlopeRecovery half = new SlopeRecovery(one.layers(), 0.5);
        zeroSlopeGrads(half);
        assertEquals(0.5 * 0.606530660, half.addGradient(), TOL);
        assertEquals(0.5 * -0.151632665, half.layers().get(0).slope().grad().toDoubleArray()[0], TOL);
    }

    @Test
    void slopeRecoveryIsStrictlyDecreasingInEverySlope() {
        SlopeRecovery sr = recovery(3, AdaptiveActivation.Spec.neuronWise(Activation.ELU, 5), new int[] {4});
        randomizeSlopes(sr, 3);
        for (AdaptiveActivation l : sr.layers()) {
            Tensor a = l.slope().value();
            double[] v = a.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                double s0 = sr.value();
                double orig = v[i];
                for (double delta : new double[] {1e-3, 0.1, 1, 5}) {
                    v[i] = orig + delta;
                    BACKEND.copyFromHost(v, a);
                    double s1 = sr.value();
                    assertTrue(s1 < s0, "S rises when a[" + i + "] grows by " + delta);
                    s0 = s1;
                }
                v[i] = orig;
                BACKEND.copyFromHost(v, a);
            }
        }
        zeroSlopeGrads(sr);
        sr.addGradient();
        for (AdaptiveActivation l : sr.layers()) {
            for (double g : l.slope().grad().toDoubleArray()) {
                assertTrue(g < 0, "dS/da < 0");
            }
        }
    }

    @Test
    void slopeRecoveryGradientMatchesFiniteDifferences() {
        List<AdaptiveActivation> layers = new ArrayList<>();
        layers.add(adaptive(AdaptiveActivation.Spec.neuronWise(Activation.TANH, 10), new int[] {2, 3, 2}));
        layers.add(adaptive(AdaptiveActivation.Spec.layerWise(Activation.RELU, 2), new int[] {5}));
        layers.add(adaptive(AdaptiveActivation.Spec.neuronWise(Activation.SIGMOID, 1), new int[] {4}));
        SlopeRecovery sr = new SlopeRecovery(layers, 0.7);
        randomizeSlopes(sr, 9);
        zeroSlopeGrads(sr);
        sr.addGradient();
        for (AdaptiveActivation l : layers) {
            GradientCheck.checkScalar("slope", l.slope().value(), l.slope().grad().toDoubleArray(),
                    sr::weightedValue, GradientCheck.TOL);
        }
    }

    // ---- the layer ---------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void atInitialisationOutputsEqualTheFixedActivation(Activation f) {
        for (DType dtype : DType.values()) {
            // every n <= 54 (and most larger ones) has an a with n·a exactly 1; 3.7 and 55 do not: then the outputs
            // agree to a rounding
            for (double n : new double[] {1, 2, 3, 5, 7, 10, 20, 49, 54, 1e3, 3.7, 55}) {
                double tol = n == 3.7 || n == 55 ? 1e-6 : 0;
                for (AdaptiveActivation.Mode mode : AdaptiveActivation.Mode.values()) {
                    int[] in = {2, 3, 4};
                    Layer fixed = new ActivationLayer.Spec(f).build(BACKEND, dtype, in, 1);
                    Layer adaptive = new AdaptiveActivation.Spec(f, mode, n).build(BACKEND, dtype, in, 1);
                    Tensor x = input(dtype, Shapes.prepend(3, in), 4);
                    String what = f + " " + dtype + " n=" + n + " " + mode;
                    assertArrayEquals(fixed.forward(x, Pass.INFERENCE, 0).toDoubleArray(),
                            adaptive.forward(x, Pass.INFERENCE, 0).toDoubleArray(), tol, what);
                    Tensor dy = input(dtype, x.shape(), 5);
                    assertArrayEquals(fixed.backward(dy).toDoubleArray(), adaptive.backward(dy).toDoubleArray(), tol, what);
                }
            }
        }
    }

    @Test
    void wholeModelsAtInitialisationEqualTheFixedOnes() {
        for (DType dtype : DType.values()) {
            Sequential fixed = cnn(dtype, false);
            Sequential adaptive = cnn(dtype, true);
            Tensor x = input(dtype, new int[] {3, 1, 6, 6}, 2);
            assertArrayEquals(fixed.forward(x, Pass.INFERENCE).toDoubleArray(),
                    adaptive.forward(x, Pass.INFERENCE).toDoubleArray(), 0, dtype.toString());
            assertEquals(fixed.parameterCount() + 4 * 6 * 6 + 1, adaptive.parameterCount());
        }
    }

    @Test
    void slopeShapes() {
        AdaptiveActivation conv = adaptive(AdaptiveActivation.Spec.neuronWise(Activation.RELU, 10), new int[] {4, 5, 6});
        assertArrayEquals(new int[] {4, 5, 6}, conv.slope().value().shape(), "one slope per element of C×H×W");
        AdaptiveActivation layer = adaptive(AdaptiveActivation.Spec.layerWise(Activation.RELU, 10), new int[] {4, 5, 6});
        assertEquals(1, layer.slope().value().size());
        assertEquals(0.1, layer.slope().value().toDoubleArray()[0], 0);
        double a49 = AdaptiveActivation.initialSlope(49, DType.FLOAT64);
        assertEquals(1.0, 49 * a49, 0);
        assertEquals(1.0 / 49, a49, 1e-17);
    }

    @ParameterizedTest(name = "{0} {1} n={2} {3}")
    @CsvSource({"TANH, LAYER, 2, 7", "TANH, NEURON, 10, 7", "SIGMOID, NEURON, 5, 3x4x2", "ELU, LAYER, 1, 2x3x3",
            "ELU, NEURON, 10, 2x3x3", "RELU, NEURON, 10, 12", "RELU, LAYER, 3, 2x2x3", "IDENTITY, NEURON, 4, 5"})
    void backwardIncludingSlopesMatchesFiniteDifferences(Activation f, AdaptiveActivation.Mode mode, double n,
                                                          String shape) {
        int[] in = java.util.Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
        Layer layer = new AdaptiveActivation.Spec(f, mode, n).build(BACKEND, DType.FLOAT64, in, 1);
        // slopes away from 1/n, around it
        Tensor a = layer.params().get(0).value();
        double[] v = GradientCheck.random(a.size(), 8);
        for (int i = 0; i < v.length; i++) {
            v[i] = (1 + 0.5 * v[i]) / n;
        }
        BACKEND.copyFromHost(v, a);
        Tensor x = BACKEND.fromHost(GradientCheck.random(4 * Shapes.size(in), 6), Shapes.prepend(4, in));
        GradientCheck.Result r = GradientCheck.check(layer, x, Pass.training(1), 2);
        assertTrue(r.checked() >= x.size() + a.size());
    }

    @Test
    void modelGradientIncludingSlopeRecoveryMatchesFiniteDifferences() {
        Sequential model = cnn(DType.FLOAT64, true);
        for (Param p : model.params()) {
            double[] v = GradientCheck.random(p.value().size(), p.value().size());
            if (p.name().equals("slope")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.1 * (1 + 0.3 * v[i]);
                }
            }
            BACKEND.copyFromHost(v, p.value());
        }
        SupervisedObjective objective = new SupervisedObjective(model, new SoftmaxCrossEntropy(), 0.8);
        assertTrue(objective.slopeRecovery().isPresent());
        assertEquals(2, objective.slopeRecovery().get().layers().size());
        Tensor x = input(DType.FLOAT64, new int[] {3, 1, 6, 6}, 12);
        double[] t = new double[9];
        t[0] = t[4] = t[8] = 1;
        objective.on(x, BACKEND.fromHost(t, 3, 3), Pass.training(3));
        double loss = objective.lossAndGradients();
        assertEquals(objective.loss(), loss, 1e-12);
        double s = objective.slopeRecovery().get().value();
        assertTrue(s > 0.5 && s < 1, "S = " + s);
        for (Param p : model.params()) {
            GradientCheck.checkScalar(p.name(), p.value(), p.grad().toDoubleArray(), objective::loss, GradientCheck.TOL);
        }
    }

    @Test
    void specRoundTripsThroughTheCodec() throws Exception {
        Sequential model = cnn(DType.FLOAT32, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, model, null);
        Sequential back = ModelCodec.read(new ByteArrayInputStream(out.toByteArray()), BACKEND).model();
        assertEquals(model.specs(), back.specs());
    }

    @Test
    void invalidHyperparametersNameTheParameterAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveActivation.Spec.neuronWise(Activation.RELU, 0.5));
        assertTrue(e.getMessage().contains("adaptive_activation.n") && e.getMessage().contains(">= 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AdaptiveActivation.Spec.layerWise(Activation.RELU, Double.NaN));
        e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveActivation.Spec(null, AdaptiveActivation.Mode.LAYER, 2));
        assertTrue(e.getMessage().contains("adaptive_activation.function"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveActivation.Spec(Activation.RELU, null, 2));
        assertTrue(e.getMessage().contains("adaptive_activation.mode"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SlopeRecovery(
                List.of(adaptive(AdaptiveActivation.Spec.layerWise(Activation.RELU, 2), new int[] {1})), -1));
        assertTrue(e.getMessage().contains("slope_recovery.weight"), e.getMessage());
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** Conv (N-LAAF over its C×H×W map) → flatten → dense → L-LAAF → dense, or the same with fixed tanh/ELU. */
    private static Sequential cnn(DType dtype, boolean adaptive) {
        return new Sequential(BACKEND, dtype, new int[] {1, 6, 6}, List.of(
                new Conv2d.Spec(4, 3, 3, 1, 1, Padding.SAME),
                adaptive ? AdaptiveActivation.Spec.neuronWise(Activation.TANH, 10) : new ActivationLayer.Spec(Activation.TANH),
                new Flatten.Spec(),
                new Dense.Spec(5),
                adaptive ? AdaptiveActivation.Spec.layerWise(Activation.ELU, 2) : new ActivationLayer.Spec(Activation.ELU),
                new Dense.Spec(3)), 21);
    }

    private static SlopeRecovery recovery(int layers, AdaptiveActivation.Spec spec, int[] shape) {
        List<AdaptiveActivation> list = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            list.add(adaptive(spec, shape));
        }
        return new SlopeRecovery(list, 1.0);
    }

    private static AdaptiveActivation adaptive(AdaptiveActivation.Spec spec, int[] shape) {
        return (AdaptiveActivation) spec.build(BACKEND, DType.FLOAT64, shape, 0);
    }

    private static void zeroSlopeGrads(SlopeRecovery sr) {
        for (AdaptiveActivation l : sr.layers()) {
            BACKEND.fill(l.slope().grad(), 0);
        }
    }

    private static void randomizeSlopes(SlopeRecovery sr, long seed) {
        long s = seed;
        for (AdaptiveActivation l : sr.layers()) {
            double[] v = GradientCheck.random(l.slope().value().size(), s++);
            BACKEND.copyFromHost(v, l.slope().value());
        }
    }

    private static Tensor input(DType dtype, int[] shape, long seed) {
        double[] d = GradientCheck.random(Shapes.size(shape), seed);
        for (int i = 0; i < d.length; i++) {
            d[i] *= 3;
        }
        if (dtype == DType.FLOAT64) {
            return BACKEND.fromHost(d, shape);
        }
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return BACKEND.fromHost(f, shape);
    }
}
