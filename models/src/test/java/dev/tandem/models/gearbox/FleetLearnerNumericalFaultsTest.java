package dev.tandem.models.gearbox;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelHash;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.optim.GradientClipping;
import dev.tandem.learning.optim.TrainingGuard;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fleet learner under numerical faults that reach the optimizer step (updates that overflow). */
class FleetLearnerNumericalFaultsTest {
    private static final int LENGTH = 256;

    private static FleetSettings settings(String optimizer, double lr, TrainingGuard guard) {
        // not normalised: the raw samples reach the network as they are
        return new FleetSettings(List.of("healthy", "broken"), 4, optimizer, lr, 0.9, 3L, false, "java", false, guard);
    }

    private static float[] window(long seed, float scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[2 * LENGTH];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (Math.sin(0.3 * i + seed) + 0.2 * rng.nextGaussian()) * scale;
        }
        return x;
    }

    @Test
    void stepsThatOverflowAreRefusedAndLeaveTheModelBitForBit() {
        // a learning rate of 1e38 sends the weights to ~1e38 on the first step: the updates or the forward passes
        // after them overflow; each refused batch leaves the weights and the batch-norm statistics as they were
        for (String optimizer : List.of("sgd", "adam", "s-sgd")) {
            FleetLearner learner = new FleetLearner(settings(optimizer, 1e38, TrainingGuard.DEFAULT), new JavaBackend(),
                    new GearboxCnnFactory());
            FleetState m = learner.create(2, LENGTH);
            int refused = 0;
            for (int b = 0; b < 6; b++) {
                String hash = ModelHash.of(m.model);
                long version = m.version;
                long skipped = m.faults.skipped();
                for (int i = 0; i < 4; i++) {
                    learner.observe(m, window(4L * b + i, 1), i % 2 == 0 ? "healthy" : "broken");
                }
                if (m.faults.skipped() > skipped) {
                    refused++;
                    assertEquals(version, m.version, optimizer + " batch " + b);
                    assertEquals(hash, ModelHash.of(m.model), optimizer + " batch " + b + ": bit for bit");
                } else {
                    assertEquals(version + 1, m.version);
                }
                for (Param p : m.model.params()) {
                    assertTrue(p.value().backend().allFinite(p.value()), optimizer + " " + p.name());
                }
            }
            assertTrue(refused >= 1, optimizer + ": some step overflowed");
            assertTrue(m.faults.last().startsWith("non-finite "), m.faults.last());
            assertEquals(6 - refused, m.version);
        }
    }

    @Test
    void withClippingAHugeLearningRateOnHugeInputsKeepsTheWeightsFinite() {
        FleetLearner clipped = new FleetLearner(settings("sgd", 10, new TrainingGuard(GradientClipping.norm(1), 5)),
                new JavaBackend(), new GearboxCnnFactory());
        FleetState m = clipped.create(2, LENGTH);
        for (int i = 0; i < 40; i++) {
            clipped.observe(m, window(i, 1e4f), i % 2 == 0 ? "healthy" : "broken");
        }
        assertEquals(10, m.version, "every step applied");
        assertEquals(0, m.faults.skipped());
        for (Param p : m.model.params()) {
            assertTrue(p.value().backend().allFinite(p.value()), p.name());
        }
    }
}
