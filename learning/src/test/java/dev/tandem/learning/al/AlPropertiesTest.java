package dev.tandem.learning.al;

import dev.tandem.learning.loss.MeanSquaredError;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Objective;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.train.SupervisedObjective;
import dev.tandem.learning.testing.GradientCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.tandem.learning.al.AlFixtures.BACKEND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The four testable properties of ALGORITHMS.md §1. */
class AlPropertiesTest {
    private static final double H = 1e-6;
    private static final double TOL = 1e-6;
    private static final int COORDS_PER_BLOCK = 6;

    /** A parameter block of the whole model: one tensor of one part of one component. */
    private record Block(int component, Part part, Param param) {
    }

    private static List<Block> blocks(AlModel m) {
        List<Block> out = new ArrayList<>();
        for (AlComponent c : m.components()) {
            for (Part p : Part.values()) {
                for (Param q : c.part(p).params()) {
                    out.add(new Block(c.index(), p, q));
                }
            }
        }
        return out;
    }

    /**
     * Property 1, gradient isolation. For each component and each local loss, with its inputs held fixed (the
     * stop-gradients), a central finite difference in every coordinate sampled from every parameter block of the
     * whole model must be exactly zero outside the loss's own networks (f_l, b_l or g_l, h_l) and match the
     * analytic gradient the component writes inside them; and evaluating the gradient must leave every other
     * block's gradient untouched. This also checks the composite backward passes b∘f and h∘g (and through them
     * every layer in the components) against finite differences.
     */
    @Test
    void gradientIsolationByFiniteDifferences() {
        for (int variant = 0; variant < 3; variant++) {
            // MSE, cross-entropy at h_1, and MSE with adaptive encoder activations (their slope recovery included)
            DecoderLoss first = variant == 1 ? DecoderLoss.SOFTMAX_CROSS_ENTROPY : DecoderLoss.MSE;
            AlModel m = AlFixtures.model(AlFixtures.smallConvNet(first, variant == 2 ? 10 : 0), DType.FLOAT64, 7);
            AlTrainer trainer = new AlTrainer(m);
            // move off the initial point so gradients are generic
            trainer.step(AlFixtures.inputs(5, 1, DType.FLOAT64), AlFixtures.oneHot(5, 2, DType.FLOAT64));
            Tensor s = AlFixtures.inputs(5, 3, DType.FLOAT64);
            Tensor t = AlFixtures.oneHot(5, 4, DType.FLOAT64);
            List<Block> all = blocks(m);
            for (AlComponent c : m.components()) {
                Pass[] passes = c.passes();
                Tensor tNext = AlFixtures.copy(c.labelEncoder().forward(t, passes[2]));
                Objective as = c.associationObjective(s, tNext, passes[0], passes[1]);
                Objective ae = c.autoencoderObjective(t, passes[2], passes[3]);
                checkIsolated(all, c.index(), Set.of(Part.ENCODER, Part.BRIDGE), as, "association " + first);
                checkIsolated(all, c.index(), Set.of(Part.LABEL_ENCODER, Part.LABEL_DECODER), ae, "autoencoder " + first);
                Tensor sNext = AlFixtures.copy(c.encoder().forward(s, passes[0]));
                s = sNext;
                t = tNext;
            }
        }
    }

    private static void checkIsolated(List<Block> all, int component, Set<Part> own, Objective objective, String what) {
        for (Block b : all) {
            BACKEND.fill(b.param().grad(), 0);
        }
        objective.lossAndGradients();
        int nonZero = 0;
        for (Block b : all) {
            boolean mine = b.component() == component && own.contains(b.part());
            double[] analytic = b.param().grad().toDoubleArray();
            double[] value = b.param().value().toDoubleArray();
            int stride = Math.max(1, value.length / COORDS_PER_BLOCK);
            for (int i = 0; i < value.length; i += stride) {
                double fd = finiteDifference(objective, b.param(), value, i);
                String where = what + " of component " + (component + 1) + ": " + b.part() + " of component "
                        + (b.component() + 1) + " " + b.param().name() + "[" + i + "]";
                if (!mine) {
                    assertEquals(0.0, fd, 0.0, where + " must not affect the loss");
                    assertEquals(0.0, analytic[i], 0.0, where + " must get no gradient");
                } else {
                    double scale = Math.max(1, Math.max(Math.abs(fd), Math.abs(analytic[i])));
                    assertEquals(fd, analytic[i], TOL * scale, where + ": analytic vs finite difference");
                    if (Math.abs(fd) > 1e-9) {
                        nonZero++;
                    }
                }
            }
        }
        assertTrue(nonZero > 0, what + " of component " + (component + 1) + " has gradients in its own networks");
    }

    private static double finiteDifference(Objective objective, Param p, double[] value, int i) {
        double x = value[i];
        value[i] = x + H;
        BACKEND.copyFromHost(value, p.value());
        double up = objective.loss();
        value[i] = x - H;
        BACKEND.copyFromHost(value, p.value());
        double down = objective.loss();
        value[i] = x;
        BACKEND.copyFromHost(value, p.value());
        return (up - down) / (2 * H);
    }

    /**
     * Every network of every component (f, b, g, h: conv, batch norm, pooling, dense, dropout, adaptive and plain
     * activations, flatten) passes the engine's finite-difference check of input and parameter gradients. Inputs
     * are random of each network's input shape: the real s_l has ReLU zeros, whose ties in a bridge's max-pool are
     * points where the gradient does not exist.
     */
    @Test
    void everyComponentNetworkPassesTheGradientCheck() {
        AlModel m = AlFixtures.model(AlFixtures.smallConvNet(DecoderLoss.MSE, 10), DType.FLOAT64, 13);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (AlComponent c : m.components()) {
            Pass pass = Pass.training(31 + c.index());
            for (Part p : Part.values()) {
                Sequential net = c.part(p);
                double[] v = new double[4 * dev.tandem.learning.tensor.Shapes.size(net.inputShape())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rng.nextGaussian();
                }
                Tensor x = BACKEND.fromHost(v, dev.tandem.learning.tensor.Shapes.prepend(4, net.inputShape()));
                GradientCheck.Result r;
                try {
                    r = GradientCheck.checkModel(net, x, pass, 17);
                } catch (AssertionError e) {
                    throw new AssertionError(p + " of component " + (c.index() + 1) + ": " + e.getMessage(), e);
                }
                assertTrue(r.checked() > 0);
            }
        }
    }

    /** A training step changes no parameter of another component, and every network of its own. */
    @Test
    void aTrainingStepChangesOnlyItsOwnComponent() {
        AlModel m = AlFixtures.model(AlFixtures.smallConvNet(DecoderLoss.MSE), DType.FLOAT32, 3);
        Tensor x = AlFixtures.inputs(4, 1, DType.FLOAT32);
        Tensor y = AlFixtures.oneHot(4, 2, DType.FLOAT32);
        List<double[]> before = AlFixtures.snapshot(m);
        m.component(1).trainStep(AlFixtures.copy(m.component(0).forward(x)), m.component(0).labels(y));
        List<double[]> after = AlFixtures.snapshot(m);
        int i = 0;
        for (AlComponent c : m.components()) {
            for (Part p : Part.values()) {
                for (Param ignored : c.part(p).params()) {
                    boolean same = java.util.Arrays.equals(before.get(i), after.get(i));
                    if (c.index() == 1) {
                        assertFalse(same, p + " of component 2 " + ignored.name() + " should have moved");
                    } else {
                        assertTrue(same, p + " of component " + (c.index() + 1) + " " + ignored.name() + " moved");
                    }
                    i++;
                }
            }
        }
    }

    /**
     * Property 2: with synchronous semantics (every component's inputs from pre-update parameters) updating the
     * components in any order gives identical parameters after one step.
     */
    @Test
    void updateOrderDoesNotMatterUnderSynchronousSemantics() {
        AlArchitecture arch = AlFixtures.smallConvNet(DecoderLoss.SOFTMAX_CROSS_ENTROPY);
        Tensor x = AlFixtures.inputs(6, 11, DType.FLOAT32);
        Tensor y = AlFixtures.oneHot(6, 12, DType.FLOAT32);
        AlModel chained = AlFixtures.model(arch, DType.FLOAT32, 5);
        List<Tensor> chainOut = new ArrayList<>();
        Tensor s = x;
        Tensor t = y;
        for (AlComponent c : chained.components()) {
            StepResult r = c.trainStep(s, t);
            chainOut.add(r.s());
            s = r.s();
            t = r.t();
        }
        List<double[]> reference = AlFixtures.snapshot(chained);
        for (int[] order : new int[][] {{2, 1, 0}, {1, 2, 0}, {0, 2, 1}}) {
            AlModel m = AlFixtures.model(arch, DType.FLOAT32, 5);
            // the inputs of every component first, from the parameters before any update
            List<Tensor[]> inputs = new ArrayList<>();
            s = x;
            t = y;
            for (AlComponent c : m.components()) {
                inputs.add(new Tensor[] {s, t});
                Pass[] passes = c.passes();
                s = AlFixtures.copy(c.encoder().forward(s, passes[0]));
                t = AlFixtures.copy(c.labelEncoder().forward(t, passes[2]));
            }
            for (int l : order) {
                StepResult r = m.component(l).trainStep(inputs.get(l)[0], inputs.get(l)[1]);
                assertArrayEquals(chainOut.get(l).toFloatArray(), r.s().toFloatArray(), "s of component " + (l + 1));
            }
            List<double[]> got = AlFixtures.snapshot(m);
            for (int i = 0; i < reference.size(); i++) {
                assertArrayEquals(reference.get(i), got.get(i), "order " + java.util.Arrays.toString(order) + ", tensor " + i);
            }
        }
    }

    /**
     * Property 3: L = 1 with g_1 and h_1 the identity is ordinary backprop of b_1∘f_1 with MSE against y — the
     * same parameters after several Adam steps as a plain Sequential of f's and b's layers.
     */
    @Test
    void oneComponentWithIdentityLabelNetworksIsBackprop() {
        int classes = 3;
        List<LayerSpec> f = List.of(new Dense.Spec(7), new ActivationLayer.Spec(Activation.ELU), new Dense.Spec(5),
                new ActivationLayer.Spec(Activation.TANH));
        List<LayerSpec> b = List.of(new Dense.Spec(classes), new ActivationLayer.Spec(Activation.SIGMOID));
        ComponentSpec spec = new ComponentSpec(f, b, List.of(), List.of(), DecoderLoss.MSE);
        AlArchitecture arch = new AlArchitecture(new int[] {4}, classes, List.of(spec), AlInit.HE_NORMAL);
        AlModel al = AlModel.create(arch, BACKEND, DType.FLOAT64, 9, new AlOptimizers(new Adam(1e-2), new Adam(1e-2)));
        AlComponent c = al.component(0);

        List<LayerSpec> joined = new ArrayList<>(f);
        joined.addAll(b);
        Sequential bp = new Sequential(BACKEND, DType.FLOAT64, new int[] {4}, joined, 1);
        for (int i = 0; i < bp.params().size(); i++) {
            BACKEND.copy(c.associationParams().get(i).value(), bp.params().get(i).value());
        }
        Adam adam = new Adam(1e-2);
        OptimizerState state = adam.init(bp.params());
        SupervisedObjective objective = new SupervisedObjective(bp, new MeanSquaredError());
        AlTrainer trainer = new AlTrainer(al);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int step = 0; step < 5; step++) {
            double[] xs = new double[8 * 4];
            double[] ys = new double[8 * classes];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = r.nextGaussian();
            }
            for (int i = 0; i < ys.length; i++) {
                ys[i] = r.nextDouble();
            }
            Tensor x = BACKEND.fromHost(xs, 8, 4);
            Tensor y = BACKEND.fromHost(ys, 8, classes);
            AlTrainer.Losses losses = trainer.step(x, y);
            double bpLoss = adam.step(objective.on(x, y, Pass.training(0)), bp.params(), state);
            assertEquals(bpLoss, losses.association()[0], 1e-15, "the association loss is backprop's MSE");
            assertEquals(0.0, losses.autoencoder()[0], 0.0, "identity h∘g reproduces y exactly");
        }
        for (int i = 0; i < bp.params().size(); i++) {
            assertArrayEquals(bp.params().get(i).value().toDoubleArray(),
                    c.associationParams().get(i).value().toDoubleArray(), 1e-15, "parameter " + i);
        }
        Tensor probe = BACKEND.fromHost(new double[] {0.1, -0.2, 0.3, 0.5}, 1, 4);
        assertArrayEquals(bp.forward(probe, Pass.INFERENCE).toDoubleArray(),
                AlInference.of(al).predict(probe).toDoubleArray(), 1e-15, "inference is b_1(f_1(x))");
    }

    /**
     * Property 4: removing the intermediate bridges b_1..b_{L-1} after training does not change predictions. They
     * are overwritten with NaN (a prediction that read them would be NaN) and left out of the snapshots; and, so
     * that the check can fail, spoiling b_L does change the predictions.
     */
    @Test
    void intermediateBridgesAreNotUsedAtInference() throws Exception {
        AlModel m = AlFixtures.model(AlFixtures.smallConvNet(DecoderLoss.MSE), DType.FLOAT32, 21);
        AlTrainer trainer = new AlTrainer(m);
        for (int i = 0; i < 5; i++) {
            trainer.step(AlFixtures.inputs(8, 100 + i, DType.FLOAT32), AlFixtures.oneHot(8, 200 + i, DType.FLOAT32));
        }
        Tensor x = AlFixtures.inputs(7, 999, DType.FLOAT32);
        float[] before = AlInference.of(m).predict(x).toFloatArray();
        for (float v : before) {
            assertTrue(Float.isFinite(v));
        }
        List<PartSnapshot> f = new ArrayList<>();
        List<PartSnapshot> h = new ArrayList<>();
        for (AlComponent c : m.components()) {
            f.add(PartSnapshot.of(c, Part.ENCODER));
            h.add(PartSnapshot.decoder(c));
        }
        PartSnapshot last = PartSnapshot.of(m.component(m.depth() - 1), Part.BRIDGE);
        for (int l = 0; l < m.depth() - 1; l++) {
            for (Param p : m.component(l).bridge().params()) {
                BACKEND.fill(p.value(), Double.NaN);
            }
        }
        assertArrayEquals(before, AlInference.of(m).predict(x).toFloatArray(), "without b_1..b_{L-1}");
        assertArrayEquals(before, AlInference.fromSnapshots(f, last, h, BACKEND).predict(x).toFloatArray(),
                "from snapshots of f, b_L, h only");
        for (Param p : m.component(m.depth() - 1).bridge().params()) {
            BACKEND.fill(p.value(), 0.5);
        }
        assertFalse(java.util.Arrays.equals(before, AlInference.of(m).predict(x).toFloatArray()), "b_L is used");
    }
}
