package dev.tandem.tools.stream;

import dev.tandem.operators.gearbox.FleetTrainerFunction;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet trainer of the streaming job on the ND4J backend (what {@code compute.backend = auto} picks) against the
 * plain-Java reference: the same windows give the same model versions and, within float rounding, the same
 * probabilities while the model trains.
 */
class FleetLearnerBackendParityTest {
    private static final FleetSettings SETTINGS = new FleetSettings(List.of("healthy", "broken"), 4, "adam", 0.003,
            0.9, 5L, true, "java");

    @Test
    void nd4jTrainsLikeTheJavaReference() {
        FleetLearner java = new FleetLearner(SETTINGS, new JavaBackend(), new GearboxCnnFactory());
        FleetLearner nd4j = new FleetLearner(SETTINGS, Backends.choose("nd4j").backend(), new GearboxCnnFactory());
        VibrationWindow first = window(0);
        FleetState a = FleetTrainerFunction.create(java, first);
        FleetState b = FleetTrainerFunction.create(nd4j, first);
        for (int i = 0; i < 20; i++) {
            VibrationWindow w = window(i);
            Prediction pa = FleetTrainerFunction.observe(java, a, w);
            Prediction pb = FleetTrainerFunction.observe(nd4j, b, w);
            assertEquals(pa.modelVersion, pb.modelVersion, "window " + i);
            assertArrayEquals(pa.probabilities, pb.probabilities, 2e-3f, "window " + i);
        }
        assertTrue(a.version >= 4, "the models trained: version " + a.version);
    }

    /** Healthy: a noisy sine; broken: plus a once-per-revolution impulse train; every fifth window unlabelled. */
    private static VibrationWindow window(int i) {
        String kind = (i / 3) % 2 == 0 ? "healthy" : "broken";
        SplittableRandom rng = new SplittableRandom(100 + i);
        int length = 1024;
        float[][] ch = new float[2][length];
        int offset = rng.nextInt(64);
        for (int c = 0; c < 2; c++) {
            for (int t = 0; t < length; t++) {
                double v = Math.sin(2 * Math.PI * 40 * t / 1024.0 + c) + 0.2 * rng.nextGaussian();
                if (kind.equals("broken") && (t + offset) % 64 < 3) {
                    v += 4.0 * Math.exp(-((t + offset) % 64));
                }
                ch[c][t] = (float) v;
            }
        }
        return new VibrationWindow(1000L + i, "m" + (i % 3), "demo", 1024.0, ch, i % 5 == 4 ? null : kind);
    }
}
