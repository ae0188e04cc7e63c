package dev.tandem.job.config;

import dev.tandem.learning.optim.GradientClipping;
import dev.tandem.learning.optim.TrainingGuard;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code training.*} keys (docs/NUMERICAL-FAULTS.md): defaults, what reaches the models, start-up refusals. */
class NumericalGuardConfigTest {
    private static String failure(String... sets) {
        return assertThrows(IllegalArgumentException.class, () -> TandemConfig.defaults(sets)).getMessage();
    }

    @Test
    void clippingIsOffByDefaultAndTheGuardReachesBothModels() {
        TandemConfig d = TandemConfig.defaults();
        assertEquals(TrainingGuard.DEFAULT, d.trainingGuard());
        TandemConfig c = d.with("training.gradient-clip-norm=2.5", "training.gradient-clip-value=0.5",
                "training.max-consecutive-faults=3");
        TrainingGuard expected = new TrainingGuard(new GradientClipping(2.5, 0.5), 3);
        assertEquals(expected, c.trainingGuard());
        assertEquals(expected, c.fleetSettings().guard());
        assertEquals(expected, c.regionSettings().guard());
        assertEquals(expected, c.regionSettings().forecasterSettings(16).guard());
    }

    @Test
    void invalidValuesFailAtStartUpNamingTheKeyAndTheAllowedValues() {
        String norm = failure("training.gradient-clip-norm=-1");
        assertTrue(norm.contains("training.gradient-clip-norm") && norm.contains("[0, "), norm);
        String value = failure("training.gradient-clip-value=abc");
        assertTrue(value.contains("training.gradient-clip-value"), value);
        String faults = failure("training.max-consecutive-faults=0");
        assertTrue(faults.contains("training.max-consecutive-faults") && faults.contains("[1, 1000000]"), faults);
    }
}
