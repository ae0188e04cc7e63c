package dev.tandem.learning.io;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.AdaptiveActivation;
import dev.tandem.learning.nn.Conv2d;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Dropout;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Lrsgd;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.SalpSgd;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.optim.YamAdam;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.testing.GradientCheck;
import dev.tandem.learning.train.ClassifierTrainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * For every optimizer: a model trained 100 steps, saved with its optimizer state, loaded and trained 100 more is
 * bit for bit the model trained 200 steps straight, optimizer state included (compared as saved files). Every
 * step sees its own seeded batch; the model has dropout, so the pass seed (from the state's step) matters too.
 */
class OptimizerResumeTest {
    private static final int STEPS = 100;
    private static final int BATCH = 6;
    private final JavaBackend backend = new JavaBackend();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "adam", "yamadam", "lrsgd-c", "lrsgd-r", "s-sgd", "adam+n-laaf"})
    void trainingResumesExactlyFromASavedModel(String which) throws IOException {
        ClassifierTrainer straight = new ClassifierTrainer(model(which), optimizer(which));
        byte[] initial = save(straight);
        train(straight, 0, 2 * STEPS);

        ClassifierTrainer first = new ClassifierTrainer(model(which), optimizer(which));
        train(first, 0, STEPS);
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(save(first)), backend);
        assertEquals(STEPS, saved.optimizerState().step());
        ClassifierTrainer resumed = new ClassifierTrainer(saved.model(), optimizer(which), saved.optimizerState());
        train(resumed, STEPS, 2 * STEPS);

        for (int p = 0; p < straight.model().params().size(); p++) {
            assertArrayEquals(straight.model().params().get(p).value().toFloatArray(),
                    resumed.model().params().get(p).value().toFloatArray(), 0f, which + " parameter " + p);
        }
        assertArrayEquals(save(straight), save(resumed), which + ": model and optimizer state");
        assertEquals(2 * STEPS, resumed.state().step());
        assertNotEquals(java.util.Arrays.toString(initial), java.util.Arrays.toString(save(straight)), "it trained");
    }

    private void train(ClassifierTrainer trainer, int from, int to) {
        for (int s = from; s < to; s++) {
            double[] d = GradientCheck.random(BATCH * 36, 7000 + s);
            float[] x = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                x[i] = (float) Math.abs(d[i]);
            }
            int[] y = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                y[i] = (s + i) % 3;
            }
            trainer.trainBatch(x, y, BATCH);
        }
    }

    private Sequential model(String which) {
        boolean laaf = which.endsWith("n-laaf");
        LayerSpec act1 = laaf ? AdaptiveActivation.Spec.neuronWise(Activation.RELU, 10) : ActivationLayer.relu();
        LayerSpec act2 = laaf ? AdaptiveActivation.Spec.neuronWise(Activation.TANH, 5) : new ActivationLayer.Spec(Activation.TANH);
        return new Sequential(backend, DType.FLOAT32, new int[] {1, 6, 6}, List.of(
                new Conv2d.Spec(2, 3, 3, 1, 1, Padding.SAME), act1, new Flatten.Spec(), new Dropout.Spec(0.25),
                new Dense.Spec(8), act2, new Dense.Spec(3)), 4);
    }

    private static Optimizer optimizer(String which) {
        return switch (which) {
            case "sgd" -> new Sgd(0.05, 0.9);
            case "adam", "adam+n-laaf" -> new Adam(1e-2);
            case "yamadam" -> new YamAdam();
            case "lrsgd-c" -> Lrsgd.c(0.05, 0.01, 0.9, 1e-4);
            case "lrsgd-r" -> Lrsgd.r(0.05, 0.01, 0.9, 1e-4, 17);
            case "s-sgd" -> new SalpSgd(0.05, 0.5, 0, 3, 0.05, 60, 2, 20, 13);
            default -> throw new IllegalArgumentException(which);
        };
    }

    private static byte[] save(ClassifierTrainer trainer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, trainer.model(), trainer.state());
        return out.toByteArray();
    }
}
