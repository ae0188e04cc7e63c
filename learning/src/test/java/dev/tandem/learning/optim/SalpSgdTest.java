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
import dev.tandem.learning.testing.GradientCheck;
import dev.tandem.learning.train.ClassifierTrainer;
import dev.tandem.learning.train.SupervisedObjective;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** S-SGD (ALGORITHMS.md §2.2, DESIGN rule): its properties. */
class SalpSgdTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void oneSalpWithC1ZeroIsSgdStepForStep() {
        SalpSgd salp = new SalpSgd(0.05, 0.9, 1e-4, 1, 0.5, 50, 0, 0, 3);
        Sgd sgd = new Sgd(0.05, 0.9, 1e-4);
        ClassifierTrainer a = new ClassifierTrainer(mlp(DType.FLOAT32, 5), salp);
        ClassifierTrainer b = new ClassifierTrainer(mlp(DType.FLOAT32, 5), sgd);
        for (int t = 0; t < 30; t++) {
            float[] x = batch(t);
            int[] y = labels(t);
            double la = a.trainBatch(x, y, 6);
            double lb = b.trainBatch(x, y, 6);
            assertEquals(lb, la, 0.0, "loss at step " + t);
            for (int k = 0; k < a.model().params().size(); k++) {
                assertArrayEquals(b.model().params().get(k).value().toFloatArray(),
                        a.model().params().get(k).value().toFloatArray(), 0f, "param " + k + " after step " + t);
            }
        }
        assertEquals(0.0, a.state().scalar("jumps"));
        assertEquals(30, a.state().step());
    }

    @Test
    void aSwarmMoveNeverRaisesTheFoodsLossOnAModel() {
        // model A trains with S-SGD; before each step model B is set to A and takes the plain SGD step (the food's
        // move); after the swarm, A's loss on the batch is never above B's
        SalpSgd salp = new SalpSgd(0.1, 0, 0, 4, 0.05, 40, 2, 0, 8);
        Sequential a = mlp(DType.FLOAT64, 2);
        Sequential b = mlp(DType.FLOAT64, 2);
        OptimizerState state = salp.init(a.params());
        Sgd sgd = new Sgd(0.1, 0);
        SupervisedObjective oa = new SupervisedObjective(a, new SoftmaxCrossEntropy());
        SupervisedObjective ob = new SupervisedObjective(b, new SoftmaxCrossEntropy());
        int jumps = 0;
        for (int t = 0; t < 40; t++) {
            Tensor x = toTensor(batch(t), a);
            Tensor y = oneHot(labels(t), a);
            Pass pass = Pass.training(t);
            oa.on(x, y, pass);
            ob.on(x, y, pass);
            for (int k = 0; k < a.params().size(); k++) {
                backend.copy(a.params().get(k).value(), b.params().get(k).value());
            }
            sgd.step(ob, b.params(), sgd.init(b.params()));
            double foodAfterSgd = ob.loss();
            double before = state.scalar("jumps");
            salp.step(oa, a.params(), state);
            double food = oa.loss();
            assertTrue(food <= foodAfterSgd, "step " + t + ": " + food + " > " + foodAfterSgd);
            if (state.scalar("jumps") > before) {
                jumps++;
                assertTrue(food < foodAfterSgd, "a jump strictly lowers the loss");
            }
        }
        assertTrue(jumps > 0, "the swarm never won, the property was not exercised");
    }

    @Test
    void aSwarmMoveNeverRaisesTheFoodsLossOnAMultimodalFunction() {
        SalpSgd salp = new SalpSgd(0.02, 0, 0, 6, 1.0, 30, 2, 10, 4);
        Param p = Param.of("w", backend.fromHost(GradientCheck.random(3, 6), 3));
        Rastrigin f = new Rastrigin(p);
        OptimizerState state = salp.init(List.of(p));
        for (int t = 0; t < 60; t++) {
            f.batch = t;
            double[] w = p.value().toDoubleArray();
            f.lossAndGradients();
            double[] g = p.grad().toDoubleArray();
            for (int i = 0; i < w.length; i++) {
                w[i] = w[i] - 0.02 * g[i];
            }
            double sgdLoss = f.at(w);
            salp.step(f, List.of(p), state);
            assertTrue(f.loss() <= sgdLoss, "step " + t);
        }
        assertTrue(state.scalar("jumps") > 0);
    }

    @Test
    void c1FollowsTheScheduleAndRestarts() {
        SalpSgd salp = SalpSgd.of(0.1, 4, 0.1, 100, 1);
        assertEquals(2.0, salp.c1(0), 0);
        assertEquals(2 * Math.exp(-16), salp.c1(100), 1e-15);
        Param p = Param.of("w", backend.fromHost(new double[] {1, 2}, 2));
        OptimizerState state = salp.init(List.of(p));
        QuadraticStream s = new QuadraticStream(p, 1, Integer.MAX_VALUE);
        for (int t = 0; t < 5; t++) {
            salp.step(s, List.of(p), state);
            s.nextBatch();
        }
        assertEquals(5.0, state.scalar("l"));
        assertEquals(1, s.gradients / 5);
        assertEquals(25, s.forwards, "N + 1 forward passes per step");
        SalpSgd.restart(state);
        assertEquals(0.0, state.scalar("l"));
    }

    @Test
    void aPlateauRestartsTheSchedule() {
        // a constant objective never improves: after `patience` steps the schedule starts over
        SalpSgd salp = new SalpSgd(0.1, 0, 0, 2, 0.1, 100, 2, 5, 1);
        Param p = Param.of("w", backend.fromHost(new double[] {1}, 1));
        OptimizerState state = salp.init(List.of(p));
        Objective flat = new Objective() {
            @Override
            public double lossAndGradients() {
                backend.fill(p.grad(), 0);
                return 1;
            }

            @Override
            public double loss() {
                return 1;
            }
        };
        double maxL = 0;
        for (int t = 0; t < 20; t++) {
            salp.step(flat, List.of(p), state);
            maxL = Math.max(maxL, state.scalar("l"));
        }
        assertTrue(maxL <= 6, "l restarted, max " + maxL);
    }

    @Test
    void invalidHyperparametersNameTheParameterAndRange() {
        LrsgdTest.expect(() -> SalpSgd.of(-0.1, 4, 0.1, 100, 1), "ssgd.lr", "> 0");
        LrsgdTest.expect(() -> SalpSgd.of(0.1, 0, 0.1, 100, 1), "ssgd.population", "1..1024");
        LrsgdTest.expect(() -> SalpSgd.of(0.1, 4, 0, 100, 1), "ssgd.window", "> 0");
        LrsgdTest.expect(() -> SalpSgd.of(0.1, 4, -1, 100, 1), "ssgd.window", "> 0");
        LrsgdTest.expect(() -> SalpSgd.of(0.1, 4, 0.1, 0, 1), "ssgd.horizon", ">= 1");
        LrsgdTest.expect(() -> new SalpSgd(0.1, 0, 0, 4, 0.1, 10, -2, 0, 1), "ssgd.c1_max", ">= 0");
        LrsgdTest.expect(() -> new SalpSgd(0.1, 1, 0, 4, 0.1, 10, 2, 0, 1), "ssgd.momentum", "[0, 1)");
    }

    /** f_b(w) = Σ ½(w − c_b)² + 2(1 − cos 2πw): many local minima, a different centre per batch. */
    private static final class Rastrigin implements Objective {
        private final Param p;
        int batch;

        Rastrigin(Param p) {
            this.p = p;
        }

        double at(double[] w) {
            double[] c = GradientCheck.random(w.length, 500 + batch);
            double s = 0;
            for (int i = 0; i < w.length; i++) {
                double d = w[i] - 3 * c[i];
                s += 0.5 * d * d + 2 * (1 - Math.cos(2 * Math.PI * w[i]));
            }
            return s;
        }

        @Override
        public double lossAndGradients() {
            double[] w = p.value().toDoubleArray();
            double[] c = GradientCheck.random(w.length, 500 + batch);
            double[] g = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                g[i] = (w[i] - 3 * c[i]) + 4 * Math.PI * Math.sin(2 * Math.PI * w[i]);
            }
            p.grad().backend().copyFromHost(g, p.grad());
            return at(w);
        }

        @Override
        public double loss() {
            return at(p.value().toDoubleArray());
        }
    }

    private Sequential mlp(DType dtype, long seed) {
        return new Sequential(backend, dtype, new int[] {12}, List.of(new Dense.Spec(8), ActivationLayer.relu(),
                new Dropout.Spec(0.2), new Dense.Spec(3)), seed);
    }

    static float[] batch(int t) {
        double[] d = GradientCheck.random(6 * 12, 300 + t);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    static int[] labels(int t) {
        int[] y = new int[6];
        for (int i = 0; i < 6; i++) {
            y[i] = (t + 2 * i) % 3;
        }
        return y;
    }

    private Tensor toTensor(float[] x, Sequential m) {
        double[] d = new double[x.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = x[i];
        }
        return backend.fromHost(d, 6, 12);
    }

    private Tensor oneHot(int[] y, Sequential m) {
        double[] t = new double[y.length * 3];
        for (int i = 0; i < y.length; i++) {
            t[i * 3 + y[i]] = 1;
        }
        return backend.fromHost(t, y.length, 3);
    }
}
