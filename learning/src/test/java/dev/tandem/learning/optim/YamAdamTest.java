package dev.tandem.learning.optim;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.Param;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** YamAdam against the golden trace of ALGORITHMS.md §5: θ0 = [1, −2] as one tensor, g = θ, float64. */
class YamAdamTest {
    private static final double TOL = 1e-8;
    private final JavaBackend backend = new JavaBackend();

    private static final double[][] THETA = {
            {0.9990000005, -1.9990000001},
            {0.9972691044, -1.9972686690},
            {0.9945372538, -1.9945347194},
            {0.9899129286, -1.9899017358},
            {0.9809750457, -1.9809262446},
            {0.9602527125, -1.9600104078}};
    private static final double[] BETA = {0.5001239376, 0.6405564874, 0.6532820333, 0.6434731343, 0.6264002890,
            0.6059273255};

    @Test
    void reproducesTheGoldenTraceIncludingBeta() {
        Param p = Param.of("theta", backend.fromHost(new double[] {1, -2}, 2));
        YamAdam opt = new YamAdam();
        OptimizerState state = opt.init(List.of(p));
        assertEquals(0.0, state.scalar(YamAdam.betaKey(0)));
        for (int t = 0; t < THETA.length; t++) {
            backend.copy(p.value(), p.grad());
            opt.update(List.of(p), state);
            assertArrayEquals(THETA[t], p.value().toDoubleArray(), TOL, "theta after step " + (t + 1));
            assertEquals(BETA[t], state.scalar(YamAdam.betaKey(0)), TOL, "beta after step " + (t + 1));
            assertEquals(t + 1, state.step());
        }
    }

    @Test
    void betaIsPerTensor() {
        // the same values split into two tensors follow different β (L1 norms are per tensor)
        Param a = Param.of("a", backend.fromHost(new double[] {1}, 1));
        Param b = Param.of("b", backend.fromHost(new double[] {-2}, 1));
        YamAdam opt = new YamAdam();
        OptimizerState state = opt.init(List.of(a, b));
        for (int t = 0; t < 3; t++) {
            backend.copy(a.value(), a.grad());
            backend.copy(b.value(), b.grad());
            opt.update(List.of(a, b), state);
        }
        double ba = state.scalar(YamAdam.betaKey(0));
        double bb = state.scalar(YamAdam.betaKey(1));
        assertTrue(ba > 0 && bb > 0 && ba != bb, ba + " " + bb);
    }

    @Test
    void epsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new YamAdam(0));
        assertTrue(e.getMessage().contains("yamadam.eps") && e.getMessage().contains("> 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new YamAdam(Double.NaN));
    }
}
