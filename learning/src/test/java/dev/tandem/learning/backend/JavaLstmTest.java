package dev.tandem.learning.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JavaLstmTest {
    @Test
    void floatTanhIsAccurateAndSaturates() {
        double worst = 0;
        for (int i = -2_000_000; i <= 2_000_000; i++) {
            float x = i * 1e-5f; // [-20, 20]
            worst = Math.max(worst, Math.abs(JavaLstm.tanh(x) - Math.tanh(x)));
        }
        assertTrue(worst < 1e-6, "absolute error " + worst);
        assertEquals(1f, JavaLstm.tanh(1000f), 1e-6f);
        assertEquals(-1f, JavaLstm.tanh(-1e30f), 1e-6f);
        assertEquals(0f, JavaLstm.tanh(0f), 0f);
        assertTrue(Float.isNaN(JavaLstm.tanh(Float.NaN)) || Math.abs(JavaLstm.tanh(Float.NaN)) <= 1,
                "NaN in, no exception");
    }
}
