package dev.tandem.learning.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JavaLstmTest {
    @Test
    void floatExpIsAccurateToFloatPrecision() {
        double worst = 0;
        for (int i = -200_000; i <= 200_000; i++) {
            float x = i * 4e-4f; // [-80, 80]
            double e = Math.exp(x);
            worst = Math.max(worst, Math.abs(JavaLstm.exp(x) - e) / e);
        }
        assertTrue(worst < 3e-7, "relative error " + worst);
        assertEquals(0f, 1f / (1f + JavaLstm.exp(1000f)), 1e-37f); // saturates, no NaN
        assertEquals(1f, 1f / (1f + JavaLstm.exp(-1000f)), 0f);
        assertTrue(Float.isFinite(JavaLstm.exp(88f)));
    }
}
