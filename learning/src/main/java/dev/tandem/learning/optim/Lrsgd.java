package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.Tensor;

import java.util.List;

/**
 * LRSGD, "Local Regularizer Improves Generalization" (Zhang, Qu, Metaxas, Chen, AAAI 2020; ALGORITHMS.md §4,
 * the authors' code). Each outer iteration copies the weights as an anchor w~ and runs M inner SGD steps, each on
 * a fresh mini-batch, on the loss plus a proximal pull toward the anchor:
 * <pre>
 * lam = lambda_w / lr
 * d   = grad L(w; batch) + 2·lam·(w − w~) + weight_decay·w
 * buf = momentum·buf + d          (zero-initialised, so buf = d on first use; NOT reset with the anchor)
 * w  −= step_i·buf                C: step_i = lr/(i+1), M = innerSteps (10)
 *                                 R: step_i = lr,       M ~ Geometric(p) on {1, 2, ...} (p = 0.1, mean 10)
 * </pre>
 * Setting {@code geometricP = 0} with variant R fixes M at {@code innerSteps} (the constant-step rule of the
 * golden values). M of variant R is drawn from {@link CounterRng} with the seed and a draw counter kept in the
 * state, so save → load → continue is exact.
 *
 * <p>How the inner steps meet the data: {@link #step} evaluates a gradient on the objective's current batch, takes
 * one inner step, and moves on with {@link Objective#nextBatch()} until the outer iteration is complete. When the
 * objective cannot advance (a trainer that hands one batch per call), the call ends after that inner step and the
 * outer iteration continues with the next call's batch: the position in the outer iteration (inner index, M, the
 * anchor) is state. Either way every inner step sees a fresh mini-batch and {@code step} advances once per call.
 * {@link #update} is exactly one inner step from the gradients already in the parameters.
 *
 * <p>State: slots {@code momentum}, {@code anchor}; scalars {@code inner} (index of the next inner step),
 * {@code inner_count} (M of the current outer iteration), {@code rng} (draws so far), {@code seed.hi/lo}.
 */
public record Lrsgd(Variant variant, double lr, double lambdaW, double momentum, double weightDecay, int innerSteps,
                    double geometricP, long seed) implements Optimizer {

    /** Largest number of inner steps a geometric draw may give (a guard against a pathological p). */
    public static final int MAX_INNER_STEPS = 1_000_000;

    public enum Variant {
        /** Decaying inner step lr/(i+1), fixed M. */
        C,
        /** Constant inner step lr, M ~ Geometric(p) (or fixed when p = 0). */
        R
    }

    public Lrsgd {
        if (variant == null) {
            throw new IllegalArgumentException("lrsgd.variant is missing; allowed: C, R");
        }
        String n = variant == Variant.C ? "lrsgd_c" : "lrsgd_r";
        Optimizer.requireRange(lr > 0 && Double.isFinite(lr), n + ".lr", lr, "> 0");
        Optimizer.requireRange(lambdaW >= 0 && Double.isFinite(lambdaW), n + ".lambda_w", lambdaW, ">= 0");
        Optimizer.requireRange(momentum >= 0 && momentum < 1, n + ".momentum", momentum, "[0, 1)");
        Optimizer.requireRange(weightDecay >= 0 && Double.isFinite(weightDecay), n + ".weight_decay", weightDecay, ">= 0");
        if (variant == Variant.C) {
            Optimizer.requireRange(geometricP == 0, n + ".p", geometricP, "0 (variant C has a fixed M)");
        } else {
            Optimizer.requireRange(geometricP >= 0 && geometricP <= 1, n + ".p", geometricP,
                    "(0, 1], or 0 for a fixed M = inner_steps");
        }
        if (geometricP == 0) {
            Optimizer.requireRange(innerSteps >= 1 && innerSteps <= MAX_INNER_STEPS, n + ".inner_steps", innerSteps,
                    "1.." + MAX_INNER_STEPS);
        }
    }

    /** LRSGD-C: step lr/(i+1), M = 10. */
    public static Lrsgd c(double lr, double lambdaW, double momentum, double weightDecay) {
        return new Lrsgd(Variant.C, lr, lambdaW, momentum, weightDecay, 10, 0, 0);
    }

    /** LRSGD-R: constant step lr, M ~ Geometric(0.1). */
    public static Lrsgd r(double lr, double lambdaW, double momentum, double weightDecay, long seed) {
        return new Lrsgd(Variant.R, lr, lambdaW, momentum, weightDecay, 0, 0.1, seed);
    }

    /** The reference defaults: lr 0.1, lambda_w 0.01, momentum 0.9, weight decay 1e-4. */
    public static Lrsgd paperDefaults(Variant variant, long seed) {
        return variant == Variant.C ? c(0.1, 0.01, 0.9, 1e-4) : r(0.1, 0.01, 0.9, 1e-4, seed);
    }

    /** The same method with another learning rate (for schedules; lam = lambda_w / lr follows it). */
    public Lrsgd withLr(double newLr) {
        return new Lrsgd(variant, newLr, lambdaW, momentum, weightDecay, innerSteps, geometricP, seed);
    }

    @Override
    public String name() {
        return variant == Variant.C ? "lrsgd-c" : "lrsgd-r";
    }

    @Override
    public OptimizerState init(List<Param> params) {
        OptimizerState s = new OptimizerState(name());
        s.slots().put("momentum", Optimizer.zerosLike(params));
        s.slots().put("anchor", Optimizer.zerosLike(params));
        s.scalars().put("inner", 0.0);
        s.scalars().put("inner_count", 0.0);
        s.scalars().put("rng", 0.0);
        s.putLong("seed", seed);
        return s;
    }

    /** One inner step from the gradients in the parameters. */
    @Override
    public void update(List<Param> params, OptimizerState state) {
        innerStep(params, state);
        state.setStep(state.step() + 1);
    }

    @Override
    public double step(Objective objective, List<Param> params, OptimizerState state) {
        double first = Double.NaN;
        boolean updated = false;
        while (true) {
            double loss = objective.lossAndGradients();
            if (!updated) {
                first = loss;
            }
            if (!Double.isFinite(loss) || !Optimizer.gradientsFinite(objective, params)) {
                break;
            }
            boolean outerDone = innerStep(params, state);
            updated = true;
            if (outerDone || !objective.nextBatch()) {
                break;
            }
        }
        if (updated) {
            state.setStep(state.step() + 1);
        }
        return first;
    }

    /** Takes one inner step; returns true when it completed an outer iteration. */
    boolean innerStep(List<Param> params, OptimizerState state) {
        int i = (int) state.scalar("inner");
        List<Tensor> anchor = state.slot("anchor");
        if (i == 0) {
            for (int k = 0; k < params.size(); k++) {
                Tensor w = params.get(k).value();
                w.backend().copy(w, anchor.get(k));
            }
            state.scalars().put("inner_count", (double) drawInnerCount(state));
        }
        int m = (int) state.scalar("inner_count");
        double stepSize = variant == Variant.C ? lr / (i + 1) : lr;
        double proximal = 2 * (lambdaW / lr);
        List<Tensor> buf = state.slot("momentum");
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            p.value().backend().proximalSgdUpdate(p.value(), p.grad(), anchor.get(k), buf.get(k), stepSize, momentum,
                    weightDecay, proximal);
        }
        i++;
        boolean done = i >= m;
        state.scalars().put("inner", done ? 0.0 : (double) i);
        return done;
    }

    private int drawInnerCount(OptimizerState state) {
        if (geometricP == 0) {
            return innerSteps;
        }
        long draw = (long) state.scalar("rng");
        state.scalars().put("rng", (double) (draw + 1));
        return geometric(CounterRng.uniform(state.getLong("seed"), draw), geometricP);
    }

    /** Inverse-CDF draw of Geometric(p) on {1, 2, ...} from u in [0, 1): P(M > k) = (1 − p)^k. */
    public static int geometric(double u, double p) {
        if (p >= 1) {
            return 1;
        }
        double k = Math.floor(Math.log1p(-u) / Math.log1p(-p));
        return (int) Math.min(MAX_INNER_STEPS, 1 + Math.max(0, k));
    }
}
