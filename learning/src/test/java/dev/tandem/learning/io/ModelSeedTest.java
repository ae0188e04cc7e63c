package dev.tandem.learning.io;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.BatchNorm;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.train.ClassifierTrainer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model file seeds a fresh model of the same architecture bit for bit, with its optimizer's state; others are refused. */
class ModelSeedTest {
    private final JavaBackend backend = new JavaBackend();

    private Sequential model(int hidden, long seed) {
        return new Sequential(backend, DType.FLOAT32, new int[] {2, 8}, List.of(BatchNorm.Spec.defaults(),
                new Flatten.Spec(), new Dense.Spec(hidden), new Dense.Spec(3)), seed);
    }

    private static byte[] file(Sequential m, OptimizerState s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, m, s);
        return out.toByteArray();
    }

    @Test
    void seedsWeightsBuffersAndTheSameOptimizersStateBitForBit() throws IOException {
        ClassifierTrainer trained = new ClassifierTrainer(model(5, 1), new Adam(0.01));
        float[] x = new float[4 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        for (int i = 0; i < 3; i++) {
            trained.trainBatch(x, new int[] {0, 1, 2, 1}, 4);
        }
        byte[] bytes = file(trained.model(), trained.state());
        ModelSeed seed = ModelSeed.of(bytes, "trained");
        Sequential fresh = model(5, 1); // the same seed: a model file records it in its header
        OptimizerState state = new Adam(0.01).init(fresh.params());
        assertNotEquals(seed.hash(), ModelHash.of(fresh));
        assertTrue(seed.seed(fresh, state));
        assertEquals(seed.hash(), ModelHash.of(fresh));
        assertEquals(3, state.step());
        assertArrayEquals(bytes, file(fresh, state), "weights, batch-norm statistics and Adam's moments, bit for bit");
        // another optimizer: the weights only, that optimizer starts fresh
        Sequential other = model(5, 7);
        OptimizerState sgd = new Sgd(0.1, 0.9).init(other.params());
        assertFalse(seed.seed(other, sgd));
        assertEquals(seed.hash(), ModelHash.of(other));
        assertEquals(0, sgd.step());
    }

    @Test
    void anotherArchitectureOrNotAModelFileIsAClearError() throws IOException {
        ModelSeed seed = ModelSeed.of(file(model(5, 1), null), "five.model");
        Sequential wider = model(6, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> seed.seed(wider, null));
        assertTrue(e.getMessage().contains("five.model does not fit the configured model")
                && e.getMessage().contains("[16, 6]"), e.getMessage());
        IOException bad = assertThrows(IOException.class, () -> ModelSeed.of("not a model".getBytes(), "x.bin"));
        assertTrue(bad.getMessage().startsWith("x.bin: "), bad.getMessage());
    }
}
