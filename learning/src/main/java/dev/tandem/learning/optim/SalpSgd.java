package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * S-SGD: a salp swarm (Mirjalili et al. 2017) around SGD, after Oswalt Manoj &amp; Ananth 2020, whose update equation
 * was not obtainable; this is the DESIGN rule of ALGORITHMS.md §2.2, on the model's weights (every parameter
 * tensor, coordinate-wise). The model's parameters are the food F. Per training step l, on the objective's
 * current mini-batch B:
 * <pre>
 * F ← F − lr·∇E_B(F)                                  (the food follows SGD; momentum/weight decay optional, 0 default)
 * c1 = c1Max · exp(−(4·l/horizon)²)                     (2 at l = 0, ~2.25e-7 at l = horizon)
 * leaders (the first max(1, ⌊N/2⌋) salps), per coordinate j, c2, c3 ~ U(0, 1):
 *     x_j = F_j ± c1·((ub − lb)·c2 + lb)  with [lb, ub] = [−r, +r]   (+ if c3 &lt; 0.5)
 * followers: x_i = (x_i + x_{i−1}) / 2                    (x_{i−1} already moved this step)
 * each salp's E_B(x_i) is a forward pass only ({@link Objective#loss()}); if the best finite one is &lt; E_B(F) (or
 *     E_B(F) is not finite): F ← that salp; a salp whose loss is NaN or ±∞ never becomes the food
 * </pre>
 * DESIGN details beyond the document: the window is relative to F and positions are not clipped (weights have no
 * natural bounds); with N = 1 the single salp is a leader (the reference code would index salp 0); salps start at
 * the initial weights; the momentum buffer is kept when F jumps; E_B(F) after the SGD step costs one more forward
 * pass, so a step costs one gradient and N + 1 forward passes. The c1 schedule restarts (l = 0) after
 * {@code plateauPatience} steps without the food's loss (an exponential mean, factor 0.9) improving by 0.1%
 * (0 turns that off), or when a drift detector calls {@link #restart}. The randomness is {@link CounterRng} keyed by
 * (seed, step draw, salp, tensor, coordinate), with the seed and the draw counter in the state, and so are the
 * salps' positions (slots {@code salp.0} ... {@code salp.N-1}): save → load → continue is exact.
 *
 * <p>{@link #update} alone is the food's SGD step; the swarm needs the objective, i.e. {@link #step}. Salps are
 * evaluated by copying their position into the parameter tensors (backend copies, no host arrays) and the food is
 * restored the same way. Caveat: a forward pass in training mode updates batch-norm running statistics, so a
 * model with batch norm sees those updated N + 1 extra times per step.
 */
public record SalpSgd(double lr, double momentum, double weightDecay, int population, double window, int horizon,
                      double c1Max, int plateauPatience, long seed) implements Optimizer {

    public SalpSgd {
        Optimizer.requireRange(lr > 0 && Double.isFinite(lr), "ssgd.lr", lr, "> 0");
        Optimizer.requireRange(momentum >= 0 && momentum < 1, "ssgd.momentum", momentum, "[0, 1)");
        Optimizer.requireRange(weightDecay >= 0 && Double.isFinite(weightDecay), "ssgd.weight_decay", weightDecay, ">= 0");
        Optimizer.requireRange(population >= 1 && population <= 1024, "ssgd.population", population, "1..1024");
        Optimizer.requireRange(window > 0 && Double.isFinite(window), "ssgd.window", window, "> 0 (r)");
        Optimizer.requireRange(horizon >= 1, "ssgd.horizon", horizon, ">= 1 steps");
        Optimizer.requireRange(c1Max >= 0 && Double.isFinite(c1Max), "ssgd.c1_max", c1Max, ">= 0");
        Optimizer.requireRange(plateauPatience >= 0, "ssgd.plateau_patience", plateauPatience, ">= 0 (0 = off)");
    }

    /** Plain SGD food, the reference c1 = 2·exp(−(4l/horizon)²), no plateau restarts. */
    public static SalpSgd of(double lr, int population, double window, int horizon, long seed) {
        return new SalpSgd(lr, 0, 0, population, window, horizon, 2, 0, seed);
    }

    /** The same method with another learning rate for the food's SGD step (for schedules). */
    public SalpSgd withLr(double newLr) {
        return new SalpSgd(newLr, momentum, weightDecay, population, window, horizon, c1Max, plateauPatience, seed);
    }

    @Override
    public String name() {
        return "s-sgd";
    }

    @Override
    public OptimizerState init(List<Param> params) {
        OptimizerState s = new OptimizerState(name());
        s.slots().put("momentum", Optimizer.zerosLike(params));
        for (int i = 0; i < population; i++) {
            List<Tensor> salp = Optimizer.zerosLike(params);
            for (int k = 0; k < params.size(); k++) {
                Tensor w = params.get(k).value();
                w.backend().copy(w, salp.get(k));
            }
            s.slots().put(salpKey(i), salp);
        }
        s.putLong("seed", seed);
        s.scalars().put("rng", 0.0);
        s.scalars().put("l", 0.0);
        s.scalars().put("plateau.mean", Double.NaN);
        s.scalars().put("plateau.best", Double.NaN);
        s.scalars().put("plateau.wait", 0.0);
        s.scalars().put("jumps", 0.0);
        return s;
    }

    /** The food's SGD step alone (no swarm: that needs {@link #step}). */
    @Override
    public void update(List<Param> params, OptimizerState state) {
        sgd(params, state);
        state.setStep(state.step() + 1);
    }

    @Override
    public double step(Objective objective, List<Param> params, OptimizerState state) {
        double loss = objective.lossAndGradients();
        if (!Double.isFinite(loss) || !Optimizer.gradientsFinite(objective, params)) {
            return loss;
        }
        sgd(params, state);
        double foodLoss = objective.loss();
        double c1 = c1(state.scalar("l"));
        List<Tensor> food = scratchLike("food", params, state);
        for (int k = 0; k < params.size(); k++) {
            Tensor w = params.get(k).value();
            w.backend().copy(w, food.get(k));
        }
        long draw = (long) state.scalar("rng");
        state.scalars().put("rng", (double) (draw + 1));
        long stepSeed = CounterRng.mix(state.getLong("seed"), draw);
        int leaders = Math.max(1, population / 2);
        int best = -1;
        // a candidate whose loss is not finite (NaN, or −∞ from an overflow) never leads; a food whose loss is not
        // finite is beaten by any salp with a finite one
        double bestLoss = Double.isFinite(foodLoss) ? foodLoss : Double.POSITIVE_INFINITY;
        for (int i = 0; i < population; i++) {
            List<Tensor> salp = state.slot(salpKey(i));
            List<Tensor> previous = i == 0 ? null : state.slot(salpKey(i - 1));
            for (int k = 0; k < params.size(); k++) {
                Tensor x = salp.get(k);
                Backend b = x.backend();
                if (i < leaders) {
                    b.salpLeaderMove(food.get(k), x, CounterRng.mix(CounterRng.mix(stepSeed, i), k), c1, -window, window);
                } else {
                    b.axpby(0.5, previous.get(k), 0.5, x);
                }
                b.copy(x, params.get(k).value());
            }
            double l = objective.loss();
            if (Double.isFinite(l) && l < bestLoss) {
                best = i;
                bestLoss = l;
            }
        }
        List<Tensor> winner = best >= 0 ? state.slot(salpKey(best)) : food;
        for (int k = 0; k < params.size(); k++) {
            Tensor w = params.get(k).value();
            w.backend().copy(winner.get(k), w);
        }
        if (best >= 0) {
            state.scalars().put("jumps", state.scalar("jumps") + 1);
        }
        state.scalars().put("l", state.scalar("l") + 1);
        watchPlateau(state, best >= 0 ? bestLoss : foodLoss);
        state.setStep(state.step() + 1);
        return loss;
    }

    /** c1 at iteration l of the schedule. */
    public double c1(double l) {
        double x = 4 * l / horizon;
        return c1Max * Math.exp(-x * x);
    }

    /** Restarts the c1 schedule (l = 0), e.g. when a drift detector fires. */
    public static void restart(OptimizerState state) {
        state.scalars().put("l", 0.0);
        state.scalars().put("plateau.mean", Double.NaN);
        state.scalars().put("plateau.best", Double.NaN);
        state.scalars().put("plateau.wait", 0.0);
    }

    /** The state slot of salp i's position. */
    public static String salpKey(int i) {
        return "salp." + i;
    }

    private void sgd(List<Param> params, OptimizerState state) {
        List<Tensor> buf = state.slot("momentum");
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            p.value().backend().sgdUpdate(p.value(), p.grad(), buf.get(k), lr, momentum, weightDecay);
        }
    }

    private void watchPlateau(OptimizerState state, double foodLoss) {
        if (plateauPatience == 0 || !Double.isFinite(foodLoss)) {
            return;
        }
        double mean = state.scalar("plateau.mean");
        mean = Double.isNaN(mean) ? foodLoss : 0.9 * mean + 0.1 * foodLoss;
        state.scalars().put("plateau.mean", mean);
        double best = state.scalar("plateau.best");
        if (Double.isNaN(best) || mean < best - 1e-3 * Math.abs(best)) {
            state.scalars().put("plateau.best", mean);
            state.scalars().put("plateau.wait", 0.0);
            return;
        }
        double wait = state.scalar("plateau.wait") + 1;
        if (wait >= plateauPatience) {
            restart(state);
        } else {
            state.scalars().put("plateau.wait", wait);
        }
    }

    private static List<Tensor> scratchLike(String name, List<Param> params, OptimizerState state) {
        List<Tensor> t = state.scratch().get(name);
        if (t == null || t.size() != params.size()) {
            t = new ArrayList<>(Optimizer.zerosLike(params));
            state.scratch().put(name, t);
        }
        return t;
    }
}
