package dev.tandem.learning.optim;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.testing.GradientCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LRSGD (ALGORITHMS.md §4): golden values on f(w) = ½w² (w0 = 1, lr 0.1, lambda_w 0.01, M = 3) and properties. */
class LrsgdTest {
    private static final double TOL = 1e-8;
    private final JavaBackend backend = new JavaBackend();

    @Test
    void variantCWithoutMomentum() {
        Lrsgd opt = new Lrsgd(Lrsgd.Variant.C, 0.1, 0.01, 0, 0, 3, 0, 0);
        assertArrayEquals(new double[] {0.828426667, 0.686290742, 0.568541552}, outerIterates(opt, 3), TOL);
    }

    @Test
    void constantStepWithMFixedAtThree() {
        Lrsgd opt = new Lrsgd(Lrsgd.Variant.R, 0.1, 0.01, 0, 0, 3, 0, 0);
        assertArrayEquals(new double[] {0.734560000, 0.539578394}, outerIterates(opt, 2), TOL);
    }

    @Test
    void variantCWithMomentumCarriedAcrossAnchors() {
        Lrsgd opt = new Lrsgd(Lrsgd.Variant.C, 0.1, 0.01, 0.9, 0, 3, 0, 0);
        assertArrayEquals(new double[] {0.731826667, 0.200296539}, outerIterates(opt, 2), TOL);
    }

    /** w after each outer iteration of M = 3 inner steps, gradient w. */
    private double[] outerIterates(Lrsgd opt, int outer) {
        Param p = Param.of("w", backend.fromHost(new double[] {1.0}, 1));
        OptimizerState state = opt.init(List.of(p));
        double[] out = new double[outer];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < 3; i++) {
                backend.copy(p.value(), p.grad());
                opt.update(List.of(p), state);
            }
            assertEquals(0.0, state.scalar("inner"), "an outer iteration ends after M inner steps");
            out[o] = p.value().toDoubleArray()[0];
        }
        return out;
    }

    @Test
    void theFirstInnerStepOfEveryAnchorHasNoRegulariserGradient() {
        // a strong pull (lambda_w = 1) without momentum and weight decay: the first inner step is plain SGD exactly,
        // the later ones are not
        Lrsgd opt = new Lrsgd(Lrsgd.Variant.R, 0.1, 1.0, 0, 0, 0, 0.3, 5);
        Param p = Param.of("w", backend.fromHost(GradientCheck.random(4, 1), 4));
        OptimizerState state = opt.init(List.of(p));
        int anchors = 0;
        int later = 0;
        for (int t = 0; t < 60; t++) {
            double[] g = GradientCheck.random(4, 100 + t);
            backend.copyFromHost(g, p.grad());
            double[] w = p.value().toDoubleArray();
            boolean first = state.scalar("inner") == 0;
            opt.update(List.of(p), state);
            double[] after = p.value().toDoubleArray();
            double[] sgd = new double[4];
            for (int i = 0; i < 4; i++) {
                sgd[i] = w[i] - 0.1 * g[i];
            }
            if (first) {
                anchors++;
                assertArrayEquals(w, state.slot("anchor").get(0).toDoubleArray(), 0, "the anchor is w at the start");
                assertArrayEquals(sgd, after, 0, "first inner step of anchor " + anchors);
            } else {
                later++;
                assertNotEquals(sgd[0], after[0], "a later inner step feels the pull toward the anchor");
            }
        }
        assertTrue(anchors >= 5 && later >= 5, anchors + " anchors, " + later + " later steps");
    }

    @Test
    void variantRWithoutRegularisationIsSgdStepForStepOnAStream() {
        // one call of step() consumes M fresh batches through nextBatch(); SGD takes one step per batch
        Lrsgd lrsgd = Lrsgd.r(0.05, 0, 0.9, 1e-4, 11);
        Sgd sgd = new Sgd(0.05, 0.9, 1e-4);
        Param a = Param.of("w", backend.fromHost(GradientCheck.random(5, 2), 5));
        Param b = Param.of("w", backend.fromHost(GradientCheck.random(5, 2), 5));
        QuadraticStream sa = new QuadraticStream(a, 3, Integer.MAX_VALUE);
        QuadraticStream sb = new QuadraticStream(b, 3, Integer.MAX_VALUE);
        OptimizerState stA = lrsgd.init(List.of(a));
        OptimizerState stB = sgd.init(List.of(b));
        for (int call = 0; call < 30; call++) {
            if (call > 0) {
                sa.nextBatch();
            }
            lrsgd.step(sa, List.of(a), stA);
            assertEquals(call + 1, stA.step(), "step advances once per call");
            assertEquals(sa.batch() + 1, sa.gradients, "every inner step on a fresh batch");
            while (sb.gradients < sa.gradients) {
                if (sb.gradients > 0) {
                    sb.nextBatch();
                }
                sgd.step(sb, List.of(b), stB);
            }
            assertEquals(sa.batch(), sb.batch());
            assertArrayEquals(b.value().toDoubleArray(), a.value().toDoubleArray(), 0, "after call " + call);
        }
        assertTrue(sa.gradients > 100, "geometric M has mean 10: " + sa.gradients + " inner steps in 30 calls");
    }

    @Test
    void variantRWithoutRegularisationIsSgdWhenEachCallHasOneBatch() {
        // the objective cannot advance: one inner step per call, the outer iteration goes on over calls
        Lrsgd lrsgd = Lrsgd.r(0.05, 0, 0.9, 1e-4, 11);
        Sgd sgd = new Sgd(0.05, 0.9, 1e-4);
        Param a = Param.of("w", backend.fromHost(GradientCheck.random(5, 2), 5));
        Param b = Param.of("w", backend.fromHost(GradientCheck.random(5, 2), 5));
        OptimizerState stA = lrsgd.init(List.of(a));
        OptimizerState stB = sgd.init(List.of(b));
        for (int t = 0; t < 50; t++) {
            QuadraticStream oa = new QuadraticStream(a, 1000 + t, 1);
            QuadraticStream ob = new QuadraticStream(b, 1000 + t, 1);
            lrsgd.step(oa, List.of(a), stA);
            sgd.step(ob, List.of(b), stB);
            assertEquals(1, oa.gradients);
            assertArrayEquals(b.value().toDoubleArray(), a.value().toDoubleArray(), 0, "step " + t);
        }
        assertTrue(stA.scalar("rng") >= 2, "several outer iterations were drawn");
    }

    @Test
    void variantCTakesTenInnerStepsPerCallOnFreshBatches() {
        Lrsgd opt = Lrsgd.c(0.1, 0.01, 0.9, 1e-4);
        Param p = Param.of("w", backend.fromHost(GradientCheck.random(3, 4), 3));
        QuadraticStream s = new QuadraticStream(p, 9, Integer.MAX_VALUE);
        OptimizerState st = opt.init(List.of(p));
        opt.step(s, List.of(p), st);
        assertEquals(10, s.gradients);
        assertEquals(9, s.batch(), "batches 0..9, one per inner step");
        s.nextBatch();
        opt.step(s, List.of(p), st);
        assertEquals(20, s.gradients);
        assertEquals(2, st.step());
        // a stream that runs out ends the call; the next call finishes the outer iteration
        QuadraticStream shortStream = new QuadraticStream(p, 10, 4);
        opt.step(shortStream, List.of(p), st);
        assertEquals(4, shortStream.gradients);
        assertEquals(4.0, st.scalar("inner"));
    }

    @Test
    void geometricDrawsHaveMeanTenAndStartAtOne() {
        long n = 20000;
        double sum = 0;
        int min = Integer.MAX_VALUE;
        for (long i = 0; i < n; i++) {
            int m = Lrsgd.geometric(CounterRng.uniform(77, i), 0.1);
            sum += m;
            min = Math.min(min, m);
        }
        assertEquals(1, min);
        assertEquals(10.0, sum / n, 0.25);
        assertEquals(1, Lrsgd.geometric(0.999, 1.0));
    }

    @Test
    void invalidHyperparametersNameTheParameterAndRange() {
        expect(() -> Lrsgd.c(-0.1, 0.01, 0.9, 0), "lrsgd_c.lr", "> 0");
        expect(() -> Lrsgd.r(0.1, -1, 0.9, 0, 1), "lrsgd_r.lambda_w", ">= 0");
        expect(() -> Lrsgd.c(0.1, 0.01, 1.0, 0), "lrsgd_c.momentum", "[0, 1)");
        expect(() -> Lrsgd.c(0.1, 0.01, 0.9, -1e-4), "lrsgd_c.weight_decay", ">= 0");
        expect(() -> new Lrsgd(Lrsgd.Variant.C, 0.1, 0.01, 0.9, 0, 0, 0, 0), "lrsgd_c.inner_steps", "1..");
        expect(() -> new Lrsgd(Lrsgd.Variant.R, 0.1, 0.01, 0.9, 0, 0, 1.5, 0), "lrsgd_r.p", "(0, 1]");
        expect(() -> new Lrsgd(null, 0.1, 0.01, 0.9, 0, 10, 0, 0), "lrsgd.variant", "C, R");
    }

    static void expect(Supplier<Object> build, String parameter, String range) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(parameter) && e.getMessage().contains(range), e.getMessage());
    }
}
