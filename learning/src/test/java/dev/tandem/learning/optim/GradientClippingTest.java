package dev.tandem.learning.optim;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.loss.SoftmaxCrossEntropy;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Dropout;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.train.SupervisedObjective;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient clipping: hand-computed cases, and every optimizer with clipping against clipping done by hand. */
class GradientClippingTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void globalNormClipScalesEveryTensorByTheSameFactor() {
        // ‖(3, 4, 0, 12)‖ = 13; clipped to 6.5 every element halves
        Param a = grad(3, 4);
        Param b = grad(0, 12);
        double norm = GradientClipping.norm(6.5).apply(List.of(a, b));
        assertEquals(13.0, norm, 0.0);
        assertArrayEquals(new double[] {1.5, 2}, a.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {0, 6}, b.grad().toDoubleArray(), 0.0);
        assertEquals(6.5, GradientClipping.globalNorm(List.of(a, b)), 1e-15);
    }

    @Test
    void valueClipComesBeforeTheNormClip() {
        // (3, 4, −12) → by value 5: (3, 4, −5), norm √50 → by norm 5: × 5/√50 = 1/√2
        Param a = grad(3, 4, -12);
        double norm = new GradientClipping(5, 5).apply(List.of(a));
        assertEquals(Math.sqrt(50), norm, 1e-15);
        double s = 1 / Math.sqrt(2);
        assertArrayEquals(new double[] {3 * s, 4 * s, -5 * s}, a.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void gradientsWithinTheBoundsAreLeftBitForBit() {
        Param a = grad(0.1, -0.2, 0.3);
        double[] before = a.grad().toDoubleArray();
        new GradientClipping(1, 1).apply(List.of(a));
        assertArrayEquals(before, a.grad().toDoubleArray(), 0.0);
        Param f = Param.of("f", backend.fromHost(new float[] {1, 2}, 2));
        backend.copyFromHost(new float[] {-3f, 0.25f}, f.grad());
        new GradientClipping(0, 2).apply(List.of(f));
        assertArrayEquals(new float[] {-2f, 0.25f}, f.grad().toFloatArray(), 0f);
    }

    @Test
    void sgdWithClippingMatchesTheHandComputedStep() {
        // f(w) = ½‖w − (3, 4)‖² at w = 0: g = (−3, −4), ‖g‖ = 5 → clipped to 1: (−0.6, −0.8); lr 0.5 → w = (0.3, 0.4)
        Param w = Param.of("w", backend.fromHost(new double[] {0, 0}, 2));
        Objective f = new Objective() {
            @Override
            public double lossAndGradients() {
                double[] v = w.value().toDoubleArray();
                backend.copyFromHost(new double[] {v[0] - 3, v[1] - 4}, w.grad());
                return 0.5 * ((v[0] - 3) * (v[0] - 3) + (v[1] - 4) * (v[1] - 4));
            }

            @Override
            public double loss() {
                throw new AssertionError("SGD needs no forward-only evaluation");
            }
        };
        Sgd sgd = new Sgd(0.5, 0);
        TrainingGuard guard = new TrainingGuard(GradientClipping.norm(1), 3);
        TrainingGuard.Outcome o = guard.step(sgd, f, List.of(w), List.of(), sgd.init(List.of(w)));
        assertFalse(o.skipped());
        assertEquals(12.5, o.loss(), 0.0);
        assertEquals(5.0, o.gradientNorm(), 0.0);
        assertArrayEquals(new double[] {0.3, 0.4}, w.value().toDoubleArray(), 1e-15);
    }

    @Test
    void everyOptimizerWithClippingEqualsItsStepOnGradientsClippedByHand() {
        double clip = 0.05;
        for (String name : Optimizers.NAMES) {
            Optimizer opt = spec(name).build();
            Sequential a = mlp();
            Sequential b = mlp();
            Sequential plain = mlp();
            OptimizerState sa = opt.init(a.params());
            OptimizerState sb = opt.init(b.params());
            OptimizerState sp = opt.init(plain.params());
            SupervisedObjective oa = new SupervisedObjective(a, new SoftmaxCrossEntropy());
            SupervisedObjective ob = new SupervisedObjective(b, new SoftmaxCrossEntropy());
            SupervisedObjective op = new SupervisedObjective(plain, new SoftmaxCrossEntropy());
            TrainingGuard guard = new TrainingGuard(GradientClipping.norm(clip), 3);
            boolean clipped = false;
            for (int t = 0; t < 8; t++) {
                Tensor x = backend.fromHost(toDouble(SalpSgdTest.batch(t)), 6, 12);
                Tensor y = oneHot(SalpSgdTest.labels(t));
                Pass pass = Pass.training(t);
                TrainingGuard.Outcome o = guard.step(opt, oa.on(x, y, pass), a.params(), a.buffers(), sa);
                assertFalse(o.skipped(), name + " step " + t);
                clipped |= o.gradientNorm() > clip;
                opt.step(new ClippedByHand(ob.on(x, y, pass), b.params(), clip), b.params(), sb);
                opt.step(op.on(x, y, pass), plain.params(), sp);
            }
            assertTrue(clipped, name + ": the threshold was reached");
            double differs = 0;
            for (int k = 0; k < a.params().size(); k++) {
                double[] va = a.params().get(k).value().toDoubleArray();
                double[] vb = b.params().get(k).value().toDoubleArray();
                double[] vp = plain.params().get(k).value().toDoubleArray();
                assertArrayEquals(vb, va, 1e-12, name + " param " + k);
                for (int i = 0; i < va.length; i++) {
                    differs = Math.max(differs, Math.abs(va[i] - vp[i]));
                }
            }
            assertTrue(differs > 1e-6, name + ": clipping changed the trajectory (" + differs + ")");
            assertEquals(sp.step(), sa.step(), name + " steps");
        }
    }

    @Test
    void invalidThresholdsNameTheKeyAndTheAllowedValues() {
        LrsgdTest.expect(() -> new GradientClipping(-1, 0), "training.gradient-clip-norm", ">= 0 (0 = off)");
        LrsgdTest.expect(() -> new GradientClipping(0, Double.NaN), "training.gradient-clip-value", ">= 0 (0 = off)");
        LrsgdTest.expect(() -> new TrainingGuard(GradientClipping.OFF, 0), "training.max-consecutive-faults", "1..1000000");
    }

    /** The objective with its gradients clipped to a global norm by host arithmetic (the direct computation). */
    private final class ClippedByHand implements Objective {
        private final Objective inner;
        private final List<Param> params;
        private final double max;

        ClippedByHand(Objective inner, List<Param> params, double max) {
            this.inner = inner;
            this.params = params;
            this.max = max;
        }

        @Override
        public double lossAndGradients() {
            double l = inner.lossAndGradients();
            double ss = 0;
            for (Param p : params) {
                for (double g : p.grad().toDoubleArray()) {
                    ss += g * g;
                }
            }
            double norm = Math.sqrt(ss);
            if (norm > max) {
                for (Param p : params) {
                    double[] g = p.grad().toDoubleArray();
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= max / norm;
                    }
                    backend.copyFromHost(g, p.grad());
                }
            }
            return l;
        }

        @Override
        public double loss() {
            return inner.loss();
        }
    }

    static Optimizers.Spec spec(String name) {
        return switch (name) {
            case "s-sgd" -> new Optimizers.Spec(name, 0.1, 0.5, 3, 0.01, 20, 0, 7);
            case "adam" -> Optimizers.Spec.of(name, 0.01, 0, 7);
            default -> Optimizers.Spec.of(name, 0.1, 0.5, 7);
        };
    }

    private Sequential mlp() {
        return new Sequential(backend, DType.FLOAT64, new int[] {12}, List.of(new Dense.Spec(8), ActivationLayer.relu(),
                new Dropout.Spec(0.2), new Dense.Spec(3)), 5);
    }

    private Tensor oneHot(int[] labels) {
        double[] t = new double[labels.length * 3];
        for (int i = 0; i < labels.length; i++) {
            t[i * 3 + labels[i]] = 1;
        }
        return backend.fromHost(t, labels.length, 3);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private Param grad(double... g) {
        Param p = Param.of("p", backend.zeros(DType.FLOAT64, g.length));
        backend.copyFromHost(g, p.grad());
        return p;
    }
}
