package dev.tandem.learning.io;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.models.ToolkitCnn;
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
