package dev.tandem.learning.optim;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.io.ModelHash;
import dev.tandem.learning.loss.SoftmaxCrossEntropy;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.BatchNorm;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.train.ClassifierTrainer;
import dev.tandem.learning.train.SupervisedObjective;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The numerical guard: a refused step leaves model and optimizer state bit for bit; a good step is unchanged by it. */
class TrainingGuardTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void nanAndInfInputsLeaveModelBuffersAndOptimizerStateBitForBit() throws IOException {
        for (String name : Optimizers.NAMES) {
            for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                ClassifierTrainer t = new ClassifierTrainer(bnMlp(), GradientClippingTest.spec(name).build());
                for (int s = 0; s < 3; s++) {
                    assertFalse(t.train(SalpSgdTest.batch(s), SalpSgdTest.labels(s), 6).skipped());
                }
                String hash = ModelHash.of(t.model());
                byte[] saved = saved(t);
                float[] x = SalpSgdTest.batch(3);
                x[7] = poison;
                TrainingGuard.Outcome o = t.train(x, SalpSgdTest.labels(3), 6);
                assertTrue(o.skipped(), name + " " + poison);
                assertEquals(TrainingGuard.Fault.LOSS, o.fault(), name + " " + poison);
                assertEquals(hash, ModelHash.of(t.model()), name + ": weights and batch-norm statistics");
                assertArrayEquals(saved, saved(t), name + ": model and optimizer state, byte for byte");
                assertFalse(t.train(SalpSgdTest.batch(4), SalpSgdTest.labels(4), 6).skipped(), "training goes on");
            }
        }
    }

    @Test
    void withoutTheGuardAPoisonedForwardPassCorruptsTheBatchNormStatistics() {
        // why the guard restores buffers too: the optimizer alone refuses the update but not the running statistics
        Sequential m = bnMlp();
        Sgd sgd = new Sgd(0.1, 0);
        SupervisedObjective o = new SupervisedObjective(m, new SoftmaxCrossEntropy());
        float[] x = SalpSgdTest.batch(0);
        x[0] = Float.NaN;
        String hash = ModelHash.of(m);
        sgd.step(o.on(backend.fromHost(x, 6, 12), oneHot(SalpSgdTest.labels(0)), Pass.training(1)), m.params(),
                sgd.init(m.params()));
        assertNotEquals(hash, ModelHash.of(m));
        boolean nanBuffer = false;
        for (Tensor b : m.buffers()) {
            nanBuffer |= !backend.allFinite(b);
        }
        assertTrue(nanBuffer);
    }

    @Test
    void anUpdateThatOverflowsTheParametersIsUndone() {
        Param w = Param.of("w", backend.fromHost(new double[] {1, -1}, 2));
        Sgd sgd = new Sgd(1e10, 0.5);
        OptimizerState state = sgd.init(List.of(w));
        TrainingGuard.Outcome o = TrainingGuard.DEFAULT.step(sgd, constantGradient(w, 1e300), List.of(w), List.of(), state);
        assertEquals(TrainingGuard.Fault.PARAMETERS, o.fault());
        assertArrayEquals(new double[] {1, -1}, w.value().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {0, 0}, state.slot("momentum").get(0).toDoubleArray(), 0.0);
        assertEquals(0, state.step());
    }

    @Test
    void anOptimizerStateThatOverflowsIsUndoneEvenWhenTheParametersStayFinite() {
        // Adam's v = (1 − β2)·g² overflows for g = 1e200, and m/√v = 0: the weights would not move, the state would be ∞
        Param w = Param.of("w", backend.fromHost(new double[] {1, -1}, 2));
        Adam adam = new Adam(0.01);
        OptimizerState state = adam.init(List.of(w));
        adam.update(List.of(w), state); // a zero-gradient step, so the state is not the initial one
        double[] m = state.slot("m").get(0).toDoubleArray();
        TrainingGuard.Outcome o = TrainingGuard.DEFAULT.step(adam, constantGradient(w, 1e200), List.of(w), List.of(), state);
        assertEquals(TrainingGuard.Fault.OPTIMIZER_STATE, o.fault());
        assertArrayEquals(m, state.slot("m").get(0).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {0, 0}, state.slot("v").get(0).toDoubleArray(), 0.0);
        assertEquals(1, state.step());
    }

    @Test
    void aFaultInAnyInnerStepOfLrsgdUndoesTheWholeStep() throws IOException {
        Param w = Param.of("w", backend.fromHost(new double[] {0.5, -0.5, 2}, 3));
        Lrsgd c = Lrsgd.c(0.1, 0.01, 0.9, 1e-4);
        OptimizerState state = c.init(List.of(w));
        QuadraticStream stream = new QuadraticStream(w, 3, 100);
        c.step(stream, List.of(w), state); // one whole outer iteration
        double[] before = w.value().toDoubleArray();
        double[] momentum = state.slot("momentum").get(0).toDoubleArray();
        double inner = state.scalar("inner");
        Objective thirdFails = new Objective() {
            int calls;

            @Override
            public double lossAndGradients() {
                double l = stream.lossAndGradients();
                return ++calls == 3 ? Double.NaN : l;
            }

            @Override
            public double loss() {
                return stream.loss();
            }

            @Override
            public boolean nextBatch() {
                return stream.nextBatch();
            }
        };
        TrainingGuard.Outcome o = TrainingGuard.DEFAULT.step(c, thirdFails, List.of(w), List.of(), state);
        assertEquals(TrainingGuard.Fault.LOSS, o.fault());
        assertArrayEquals(before, w.value().toDoubleArray(), 0.0);
        assertArrayEquals(momentum, state.slot("momentum").get(0).toDoubleArray(), 0.0);
        assertEquals(inner, state.scalar("inner"));
        assertEquals(1, state.step());
    }

    @Test
    void withoutFaultsAndClippingTheGuardedStepIsTheOptimizersStepBitForBit() {
        for (String name : Optimizers.NAMES) {
            Optimizer opt = GradientClippingTest.spec(name).build();
            Sequential a = bnMlp();
            Sequential b = bnMlp();
            OptimizerState sa = opt.init(a.params());
            OptimizerState sb = opt.init(b.params());
            SupervisedObjective oa = new SupervisedObjective(a, new SoftmaxCrossEntropy());
            SupervisedObjective ob = new SupervisedObjective(b, new SoftmaxCrossEntropy());
            for (int t = 0; t < 6; t++) {
                Tensor x = backend.fromHost(SalpSgdTest.batch(t), 6, 12);
                Tensor y = oneHot(SalpSgdTest.labels(t));
                double la = TrainingGuard.DEFAULT.step(opt, oa.on(x, y, Pass.training(t)), a.params(), a.buffers(), sa)
                        .loss();
                double lb = opt.step(ob.on(x, y, Pass.training(t)), b.params(), sb);
                assertEquals(lb, la, 0.0, name);
            }
            assertEquals(ModelHash.of(b), ModelHash.of(a), name);
        }
    }

    @Test
    void explodingGradientsStayBoundedWithClippingAndFiniteEitherWay() {
        // inputs scaled by 1e6 make gradients of ~1e6: without clipping the weights run away (the guard only keeps
        // them finite), with a clip norm of 1 each step moves them by at most lr·1 and none is refused
        float[][] xs = new float[40][];
        for (int t = 0; t < xs.length; t++) {
            xs[t] = SalpSgdTest.batch(t);
            for (int i = 0; i < xs[t].length; i++) {
                xs[t][i] *= 1e6f;
            }
        }
        ClassifierTrainer free = new ClassifierTrainer(mlp(), new Sgd(0.5, 0.9));
        ClassifierTrainer clipped = new ClassifierTrainer(mlp(), new Sgd(0.5, 0.9));
        clipped.setGuard(new TrainingGuard(GradientClipping.norm(1), 5));
        double start = maxAbs(clipped.model());
        int skippedFree = 0;
        for (int t = 0; t < xs.length; t++) {
            skippedFree += free.train(xs[t], SalpSgdTest.labels(t), 6).skipped() ? 1 : 0;
            assertFalse(clipped.train(xs[t], SalpSgdTest.labels(t), 6).skipped(), "clipped step " + t);
        }
        assertTrue(finite(free.model()) && finite(clipped.model()));
        assertTrue(maxAbs(free.model()) > 1e5 || skippedFree > 0, "the unclipped run explodes: " + maxAbs(free.model()));
        // heavy-ball momentum 0.9 moves a weight by at most lr·Σ 0.9^k·1 < lr·10 per step
        assertTrue(maxAbs(clipped.model()) <= start + xs.length * 0.5 * 10, "bounded: " + maxAbs(clipped.model()));
    }

    @Test
    void aSalpWhoseLossIsNotFiniteNeverLeads() {
        for (double bad : new double[] {Double.NEGATIVE_INFINITY, Double.NaN}) {
            Param w = Param.of("w", backend.fromHost(new double[] {1, 2, 3}, 3));
            SalpSgd salp = new SalpSgd(0.1, 0, 0, 3, 0.5, 50, 2, 0, 4);
            OptimizerState state = salp.init(List.of(w));
            Objective o = new Objective() {
                int forwards;

                @Override
                public double lossAndGradients() {
                    backend.copy(w.value(), w.grad());
                    return 0.5 * backend.sumSquares(w.value());
                }

                @Override
                public double loss() {
                    // the first forward pass of a step is the food's, the next three the salps'
                    return forwards++ % 4 == 0 ? 0.5 * backend.sumSquares(w.value()) : bad;
                }
            };
            double[] expect = {1, 2, 3};
            for (int t = 0; t < 5; t++) {
                TrainingGuard.DEFAULT.step(salp, o, List.of(w), List.of(), state);
                for (int i = 0; i < 3; i++) {
                    expect[i] -= 0.1 * expect[i];
                }
            }
            assertEquals(0.0, state.scalar("jumps"), "no jump to a salp with loss " + bad);
            assertArrayEquals(expect, w.value().toDoubleArray(), 1e-15);
        }
    }

    @Test
    void theFaultCounterReportsEveryKthFaultInARow() {
        FaultCounter c = new FaultCounter();
        TrainingGuard.Outcome bad = new TrainingGuard.Outcome(Double.NaN, TrainingGuard.Fault.GRADIENT, Double.NaN);
        TrainingGuard.Outcome good = new TrainingGuard.Outcome(1, null, Double.NaN);
        assertFalse(c.record(bad, 3));
        assertFalse(c.record(bad, 3));
        assertFalse(c.record(good, 3));
        assertEquals(0, c.consecutive());
        boolean[] due = new boolean[7];
        for (int i = 0; i < due.length; i++) {
            due[i] = c.record(bad, 3);
        }
        assertEquals("[false, false, true, false, false, true, false]", Arrays.toString(due));
        assertEquals(9, c.skipped());
        assertEquals(7, c.consecutive());
        assertEquals("non-finite gradient", c.last());
    }

    private Objective constantGradient(Param w, double g) {
        return new Objective() {
            @Override
            public double lossAndGradients() {
                backend.fill(w.grad(), g);
                return 1;
            }

            @Override
            public double loss() {
                return 1;
            }
        };
    }

    private byte[] saved(ClassifierTrainer t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, t.model(), t.state());
        return out.toByteArray();
    }

    private Sequential bnMlp() {
        return new Sequential(backend, DType.FLOAT32, new int[] {12}, List.of(new Dense.Spec(8), BatchNorm.Spec.defaults(),
                ActivationLayer.relu(), new Dense.Spec(3)), 5);
    }

    private Sequential mlp() {
        return new Sequential(backend, DType.FLOAT32, new int[] {12}, List.of(new Dense.Spec(8), ActivationLayer.relu(),
                new Dense.Spec(3)), 5);
    }

    private Tensor oneHot(int[] labels) {
        float[] t = new float[labels.length * 3];
        for (int i = 0; i < labels.length; i++) {
            t[i * 3 + labels[i]] = 1;
        }
        return backend.fromHost(t, labels.length, 3);
    }

    private static boolean finite(Sequential m) {
        for (Param p : m.params()) {
            if (!p.value().backend().allFinite(p.value())) {
                return false;
            }
        }
        return true;
    }

    private static double maxAbs(Sequential m) {
        double max = 0;
        for (Param p : m.params()) {
            for (float v : p.value().toFloatArray()) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }
}
