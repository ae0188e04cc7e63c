package dev.tandem.learning.optim;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SGD and Adam against values computed by hand from their defining rules, on f(w) = ½‖w‖² (gradient w). */
class OptimizerTest {
    private final JavaBackend backend = new JavaBackend();

    @Test
    void sgdWithMomentumFollowsTheHeavyBallRule() {
        // w0 = 1, lr 0.1, momentum 0.9: buf1 = 1, w1 = 0.9; buf2 = 0.9 + 0.9 = 1.8, w2 = 0.72;
        // buf3 = 1.62 + 0.72 = 2.34, w3 = 0.486
        double[] trace = run(new Sgd(0.1, 0.9), 3);
        assertArrayEquals(new double[] {0.9, 0.72, 0.486}, trace, 1e-15);
    }

    @Test
    void adamFollowsItsRule() {
        // step 1: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g² → w1 = w0 − lr·g/(|g| + eps) = 1 − 0.1·(1/(1+1e-8))
        double[] trace = run(new Adam(0.1), 2);
        assertEquals(1 - 0.1 / (1 + 1e-8), trace[0], 1e-15);
        double g1 = 1;
        double g2 = trace[0];
        double m = 0.9 * (0.1 * g1) + 0.1 * g2;
        double v = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
        double mh = m / (1 - 0.81);
        double vh = v / (1 - 0.999 * 0.999);
        assertEquals(trace[0] - 0.1 * mh / (Math.sqrt(vh) + 1e-8), trace[1], 1e-15);
    }

    @Test
    void nonFiniteGradientsLeaveParametersUnchanged() {
        Param p = Param.of("w", backend.fromHost(new double[] {1, 2}, 2));
        Sgd sgd = new Sgd(0.1, 0.9);
        OptimizerState s = sgd.init(List.of(p));
        Objective nan = new Objective() {
            @Override
            public double lossAndGradients() {
                backend.copyFromHost(new double[] {Double.NaN, 1}, p.grad());
                return 1;
            }

            @Override
            public double loss() {
                return 1;
            }
        };
        sgd.step(nan, List.of(p), s);
        assertArrayEquals(new double[] {1, 2}, p.value().toDoubleArray(), 0);
        assertEquals(0, s.step());
    }

    @Test
    void invalidHyperparametersNameTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sgd(-0.1, 0.9));
        assertTrue(e.getMessage().contains("sgd.lr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(0.001, 1.0, 0.999, 1e-8));
        assertTrue(e.getMessage().contains("adam.beta1"), e.getMessage());
    }

    private double[] run(Optimizer opt, int steps) {
        Tensor w = backend.fromHost(new double[] {1.0}, 1);
        Param p = Param.of("w", w);
        OptimizerState state = opt.init(List.of(p));
        double[] trace = new double[steps];
        for (int i = 0; i < steps; i++) {
            backend.copy(p.value(), p.grad());
            opt.update(List.of(p), state);
            trace[i] = p.value().toDoubleArray()[0];
        }
        return trace;
    }
}
