package dev.tandem.learning.al;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.tandem.learning.al.AlFixtures.BACKEND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reproducibility, the component codec, stage-wise construction and the per-loss optimizers. */
class ComponentStateTest {
    private static final AlArchitecture ARCH = AlFixtures.smallConvNet(DecoderLoss.SOFTMAX_CROSS_ENTROPY);

    private static void train(AlModel m, int from, int steps) {
        AlTrainer trainer = new AlTrainer(m);
        for (int i = from; i < from + steps; i++) {
            trainer.step(AlFixtures.inputs(6, 1000 + i, DType.FLOAT32), AlFixtures.oneHot(6, 2000 + i, DType.FLOAT32));
        }
    }

    private static void assertSameParameters(AlModel a, AlModel b, String what) {
        List<double[]> x = AlFixtures.snapshot(a);
        List<double[]> y = AlFixtures.snapshot(b);
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
            assertArrayEquals(x.get(i), y.get(i), what + ", tensor " + i);
        }
    }

    @Test
    void sameSeedAndBatchesGiveBitIdenticalParameters() {
        AlModel a = AlFixtures.model(ARCH, DType.FLOAT32, 42);
        AlModel b = AlFixtures.model(ARCH, DType.FLOAT32, 42);
        train(a, 0, 4);
        train(b, 0, 4);
        assertSameParameters(a, b, "same seed, same batches");
        AlModel c = AlFixtures.model(ARCH, DType.FLOAT32, 43);
        train(c, 0, 4);
        assertFalse(Arrays.equals(AlFixtures.snapshot(a).get(0), AlFixtures.snapshot(c).get(0)), "another seed differs");
    }

    @Test
    void aStageBuildsTheSameComponentAsTheWholeModel() {
        AlModel whole = AlFixtures.model(ARCH, DType.FLOAT32, 42);
        AlOptimizers opt = whole.component(0).optimizers();
        List<AlComponent> stages = new ArrayList<>();
        for (int l = 0; l < ARCH.depth(); l++) {
            stages.add(AlModel.createComponent(ARCH, l, BACKEND, DType.FLOAT32, 42, opt));
        }
        AlModel staged = new AlModel(ARCH.inputShape(), ARCH.targetWidth(), stages);
        assertSameParameters(whole, staged, "built stage by stage");
        train(whole, 0, 3);
        train(staged, 0, 3);
        assertSameParameters(whole, staged, "trained stage by stage");
    }

    @Test
    void aRestoredComponentContinuesBitIdentically() throws IOException {
        AlModel a = AlFixtures.model(ARCH, DType.FLOAT32, 8);
        train(a, 0, 3);
        List<AlComponent> restored = new ArrayList<>();
        for (AlComponent c : a.components()) {
            byte[] bytes = ComponentState.toBytes(c);
            AlComponent r = ComponentState.fromBytes(bytes, BACKEND, c.optimizers());
            assertEquals(c.step(), r.step());
            assertEquals(c.index(), r.index());
            assertEquals(c.associationState().step(), r.associationState().step());
            assertArrayEquals(bytes, ComponentState.toBytes(r), "a restored component writes the same bytes");
            restored.add(r);
        }
        AlModel b = new AlModel(a.inputShape(), a.targetWidth(), restored);
        assertSameParameters(a, b, "after restore");
        train(a, 3, 3);
        train(b, 3, 3);
        assertSameParameters(a, b, "continued after restore");
        // batch-norm running statistics travel too: inference agrees
        Tensor x = AlFixtures.inputs(3, 77, DType.FLOAT32);
        assertArrayEquals(AlInference.of(a).predict(x).toFloatArray(), AlInference.of(b).predict(x).toFloatArray());
    }

    @Test
    void aHostStepEqualsATensorStep() {
        AlModel a = AlFixtures.model(ARCH, DType.FLOAT32, 8);
        AlModel b = AlFixtures.model(ARCH, DType.FLOAT32, 8);
        Tensor x = AlFixtures.inputs(4, 1, DType.FLOAT32);
        Tensor y = AlFixtures.oneHot(4, 2, DType.FLOAT32);
        StepResult r = a.component(0).trainStep(x, y);
        StepResult h = b.component(0).trainStep(x.toFloatArray(), y.toFloatArray(), 4);
        assertArrayEquals(r.s().toFloatArray(), h.s().toFloatArray());
        assertArrayEquals(r.t().toFloatArray(), h.t().toFloatArray());
        assertEquals(r.associationLoss(), h.associationLoss());
        assertSameParameters(a, b, "host and tensor steps");
    }

    @Test
    void aStateFailsToLoadUnderAnotherOptimizer() {
        AlModel a = AlFixtures.model(ARCH, DType.FLOAT32, 8);
        byte[] bytes = ComponentState.toBytes(a.component(0));
        IOException e = assertThrows(IOException.class, () -> ComponentState.fromBytes(bytes, BACKEND,
                new AlOptimizers(new Sgd(0.1, 0.9), new Adam(1e-3))));
        assertTrue(e.getMessage().contains("sgd") && e.getMessage().contains("adam"), e.getMessage());
        bytes[0] = 'X';
        assertThrows(IOException.class, () -> ComponentState.fromBytes(bytes, BACKEND, a.component(0).optimizers()));
    }

    @Test
    void aDecoderSnapshotCarriesItsVersionAndRestores() throws IOException {
        AlModel a = AlFixtures.model(ARCH, DType.FLOAT32, 8);
        train(a, 0, 2);
        AlComponent c = a.component(1);
        PartSnapshot s = PartSnapshot.decoder(c);
        assertEquals(2, s.version());
        assertEquals(Part.LABEL_DECODER, s.part());
        var h = s.restore(BACKEND);
        for (int i = 0; i < h.params().size(); i++) {
            assertArrayEquals(c.labelDecoder().params().get(i).value().toFloatArray(),
                    h.params().get(i).value().toFloatArray());
        }
        Tensor t = c.labels(a.component(0).labels(AlFixtures.oneHot(4, 5, DType.FLOAT32)));
        assertArrayEquals(c.decode(t).toFloatArray(),
                h.forward(t, dev.tandem.learning.nn.Pass.INFERENCE).toFloatArray());
    }

    /** Every named engine optimizer can drive either loss; each moves only its own loss's networks. */
    @Test
    void everyOptimizerIsSelectablePerLoss() {
        for (String name : AlOptimizers.NAMES) {
            Optimizer o = AlOptimizers.named("al.optimizer", name, 1e-2, 5);
            for (boolean onAssociation : new boolean[] {true, false}) {
                AlOptimizers opts = onAssociation ? new AlOptimizers(o, new Adam(1e-3)) : new AlOptimizers(new Adam(1e-3), o);
                AlArchitecture arch = name.equals("adam+n-laaf")
                        ? AlFixtures.smallConvNet(DecoderLoss.SOFTMAX_CROSS_ENTROPY, 10) : ARCH;
                AlModel m = AlFixtures.model(arch, DType.FLOAT32, 3);
                List<AlComponent> cs = new ArrayList<>();
                for (int l = 0; l < arch.depth(); l++) {
                    cs.add(AlModel.createComponent(arch, l, BACKEND, DType.FLOAT32, 3, opts));
                }
                AlModel n = new AlModel(arch.inputShape(), arch.targetWidth(), cs);
                List<Param> moved = onAssociation ? n.component(0).associationParams() : n.component(0).autoencoderParams();
                double[] before = moved.get(0).value().toDoubleArray();
                Param slope = n.component(0).associationParams().stream()
                        .filter(p -> p.name().equals("slope")).findFirst().orElse(null);
                assertEquals(name.equals("adam+n-laaf"), slope != null, "adaptive encoders only for adam+n-laaf");
                float[] slopeBefore = slope == null ? null : slope.value().toFloatArray();
                train(n, 0, 2);
                if (slope != null && onAssociation) {
                    assertFalse(Arrays.equals(slopeBefore, slope.value().toFloatArray()), "the slopes train");
                }
                assertEquals(o.name(), onAssociation ? n.component(0).associationState().optimizer()
                        : n.component(0).autoencoderState().optimizer());
                assertFalse(Arrays.equals(before, moved.get(0).value().toDoubleArray()),
                        name + " moved the " + (onAssociation ? "association" : "autoencoder") + " parameters");
                for (double[] v : AlFixtures.snapshot(n)) {
                    for (double d : v) {
                        assertTrue(Double.isFinite(d), name);
                    }
                }
                assertEquals(m.parameterCount(), n.parameterCount());
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlOptimizers.named("al.association.optimizer", "rmsprop", 1e-3, 1));
        assertTrue(e.getMessage().contains("al.association.optimizer") && e.getMessage().contains("yamadam"));
    }
}
