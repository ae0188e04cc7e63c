package dev.tandem.learning.io;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.loss.MaskedMeanSquaredError;
import dev.tandem.learning.nets.ConvLstmForecaster;
import dev.tandem.learning.nets.ToolkitCnn;
import dev.tandem.learning.nn.ConvLstmSpec;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.optim.SalpSgd;
import dev.tandem.learning.train.SupervisedObjective;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.testing.GradientCheck;
import dev.tandem.learning.train.ClassifierTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCodecTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void toolkitCnnHasTheDocumentedParameterCount() {
        assertEquals(ToolkitCnn.PARAMETERS, ToolkitCnn.build(backend, DType.FLOAT32, 1).parameterCount());
    }

    @Test
    void saveLoadPreservesPredictionsBitForBit() throws IOException {
        ClassifierTrainer trainer = new ClassifierTrainer(ToolkitCnn.build(backend, DType.FLOAT32, 7), new Sgd(0.01, 0.9));
        float[] x = images(8, 3);
        int[] y = {0, 1, 2, 3, 4, 5, 6, 7};
        trainer.trainBatch(x, y, 8);
        trainer.trainBatch(x, y, 8);
        byte[] bytes = save(trainer);
        ModelCodec.Saved loaded = ModelCodec.read(new ByteArrayInputStream(bytes), backend);
        ClassifierTrainer again = new ClassifierTrainer(loaded.model(), new Sgd(0.01, 0.9), loaded.optimizerState());
        float[] before = trainer.predictProbabilities(x, 8);
        float[] after = again.predictProbabilities(x, 8);
        assertArrayEquals(before, after, 0f);
        // and it stays compact: 4 bytes per parameter plus the running statistics and the momentum buffers
        assertTrue(bytes.length < 2 * 4 * ToolkitCnn.PARAMETERS + 4096, "model file of " + bytes.length + " bytes");
    }

    @Test
    void inferenceWithBatchNormAndDropoutIsDeterministic() {
        ClassifierTrainer trainer = new ClassifierTrainer(ToolkitCnn.build(backend, DType.FLOAT32, 7), new Sgd(0.01, 0.9));
        float[] x = images(4, 5);
        trainer.trainBatch(x, new int[] {1, 2, 3, 4}, 4);
        float[] a = trainer.predictProbabilities(x, 4);
        float[] b = trainer.predictProbabilities(x, 4);
        assertArrayEquals(a, b, 0f);
        // one example alone gives the same probabilities as inside a batch (no batch statistics at inference)
        float[] single = trainer.predictProbabilities(java.util.Arrays.copyOf(x, 784), 1);
        assertArrayEquals(java.util.Arrays.copyOf(a, 10), single, 1e-6f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam"})
    void trainingResumesExactlyFromASavedModel(String which) throws IOException {
        float[] x = images(6, 9);
        int[] y = {0, 1, 2, 0, 1, 2};
        ClassifierTrainer straight = tinyTrainer(which);
        for (int i = 0; i < 20; i++) {
            straight.trainBatch(x, y, 6);
        }
        ClassifierTrainer first = tinyTrainer(which);
        for (int i = 0; i < 10; i++) {
            first.trainBatch(x, y, 6);
        }
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(save(first)), backend);
        ClassifierTrainer resumed = new ClassifierTrainer(saved.model(), optimizer(which), saved.optimizerState());
        for (int i = 0; i < 10; i++) {
            resumed.trainBatch(x, y, 6);
        }
        for (int p = 0; p < straight.model().params().size(); p++) {
            assertArrayEquals(straight.model().params().get(p).value().toFloatArray(),
                    resumed.model().params().get(p).value().toFloatArray(), 0f);
        }
    }

    /**
     * A ConvLSTM forecaster (a "convlstm" layer in the same version-1 format) trained by S-SGD with a masked MSE:
     * save → load gives the same forecasts bit for bit, and training on from the file equals training straight on.
     */
    @Test
    void convLstmForecasterRoundTripsAndResumesExactly() throws IOException {
        ConvLstmSpec spec = new ConvLstmSpec(new int[] {3, 2}, new int[] {3, 1}, 2, 1);
        Sequential straight = ConvLstmForecaster.build(spec, backend, DType.FLOAT32, 3, 2, 5, 4, 17);
        SalpSgd ssgd = SalpSgd.of(0.05, 3, 0.01, 50, 3);
        OptimizerState state = ssgd.init(straight.params());
        Sequential first = ConvLstmForecaster.build(spec, backend, DType.FLOAT32, 3, 2, 5, 4, 17);
        OptimizerState firstState = ssgd.init(first.params());
        for (int i = 0; i < 6; i++) {
            convLstmStep(straight, ssgd, state, i);
            if (i < 3) {
                convLstmStep(first, ssgd, firstState, i);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, first, firstState);
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(out.toByteArray()), backend);
        assertEquals(spec, saved.model().specs().get(0));
        var x = backend.fromHost(floats(2 * 3 * 2 * 5 * 4, 99), 2, 3, 2, 5, 4);
        assertArrayEquals(first.forward(x, Pass.INFERENCE).toFloatArray(),
                saved.model().forward(x, Pass.INFERENCE).toFloatArray(), 0f);
        for (int i = 3; i < 6; i++) {
            convLstmStep(saved.model(), ssgd, saved.optimizerState(), i);
        }
        for (int p = 0; p < straight.params().size(); p++) {
            assertArrayEquals(straight.params().get(p).value().toFloatArray(),
                    saved.model().params().get(p).value().toFloatArray(), 0f, straight.params().get(p).name());
        }
    }

    private void convLstmStep(Sequential model, SalpSgd opt, OptimizerState state, int step) {
        MaskedMeanSquaredError loss = new MaskedMeanSquaredError();
        float[] mask = floats(2 * 2 * 20, 500 + step);
        for (int i = 0; i < mask.length; i++) {
            mask[i] = mask[i] > 0 ? 1 : 0;
        }
        loss.setMask(backend.fromHost(mask, 2, 2, 1, 5, 4));
        SupervisedObjective objective = new SupervisedObjective(model, loss).on(
                backend.fromHost(floats(2 * 3 * 2 * 20, step), 2, 3, 2, 5, 4),
                backend.fromHost(floats(2 * 2 * 20, 100 + step), 2, 2, 1, 5, 4), Pass.training(step));
        opt.step(objective, model.params(), state);
    }

    private static float[] floats(int n, long seed) {
        double[] d = GradientCheck.random(n, seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void rejectsForeignAndFutureFiles() {
        IOException bad = assertThrows(IOException.class,
                () -> ModelCodec.read(new ByteArrayInputStream("NOTAMODEL-----".getBytes()), backend));
        assertTrue(bad.getMessage().contains("magic"));
        byte[] future = "TNDMODEL\0\0\0\u0009".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        IOException version = assertThrows(IOException.class, () -> ModelCodec.read(new ByteArrayInputStream(future), backend));
        assertTrue(version.getMessage().contains("version 9"), version.getMessage());
    }

    @Test
    void trainingChangesTheModel() {
        ClassifierTrainer trainer = tinyTrainer("sgd");
        float[] before = trainer.model().params().get(0).value().toFloatArray();
        trainer.trainBatch(images(6, 1), new int[] {0, 1, 2, 0, 1, 2}, 6);
        assertFalse(java.util.Arrays.equals(before, trainer.model().params().get(0).value().toFloatArray()));
    }

    private ClassifierTrainer tinyTrainer(String which) {
        Sequential model = new Sequential(backend, DType.FLOAT32, new int[] {1, 28, 28}, java.util.List.of(
                dev.tandem.learning.nn.BatchNorm.Spec.defaults(),
                new dev.tandem.learning.nn.Conv2d.Spec(2, 3, 3, 2, 2, dev.tandem.learning.tensor.ConvGeometry.Padding.SAME),
                dev.tandem.learning.nn.ActivationLayer.relu(),
                dev.tandem.learning.nn.MaxPool.Spec.square(2),
                new dev.tandem.learning.nn.Flatten.Spec(),
                new dev.tandem.learning.nn.Dropout.Spec(0.5),
                new dev.tandem.learning.nn.Dense.Spec(3)), 4);
        return new ClassifierTrainer(model, optimizer(which));
    }

    private static Optimizer optimizer(String which) {
        return which.equals("sgd") ? new Sgd(0.05, 0.9) : new Adam(1e-3);
    }

    private static byte[] save(ClassifierTrainer trainer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, trainer.model(), trainer.state());
        return out.toByteArray();
    }

    private static float[] images(int n, long seed) {
        double[] d = GradientCheck.random(n * 784, seed);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) Math.abs(d[i]);
        }
        return f;
    }
}
