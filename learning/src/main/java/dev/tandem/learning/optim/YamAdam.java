package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Tensor;

import java.util.List;

/**
 * YamAdam (Yamada 2018; ALGORITHMS.md §5, the author's reference rule): Adam's moments with AdaDelta's unit
 * correction, no learning rate and no bias correction. Per parameter tensor θ the state holds m, v, s, h (shaped
 * like θ) and one scalar β ({@code beta.<index>} in the scalars, 0 at the start):
 * <pre>
 * m' = β·m + (1−β)·g              v' = β·v + (1−β)·(g − m)²     (centred, with the OLD mean)
 * s' = β·s + (1−β)·h²             h' = m'·√((s' + eps)/(v' + eps))
 * β  = sigmoid((Σ|h| + eps)/(Σ|h'| + eps)) − eps                (L1 norms over the whole tensor, old over new)
 * θ −= h'
 * </pre>
 * The element-wise part is one fused {@link dev.tandem.learning.tensor.Backend#yamAdamUpdate} per tensor, which
 * returns the two L1 norms; β is computed here in double.
 */
public record YamAdam(double eps) implements Optimizer {
    public static final double DEFAULT_EPS = 1e-6;

    public YamAdam {
        Optimizer.requireRange(eps > 0 && Double.isFinite(eps), "yamadam.eps", eps, "> 0");
    }

    public YamAdam() {
        this(DEFAULT_EPS);
    }

    @Override
    public String name() {
        return "yamadam";
    }

    @Override
    public OptimizerState init(List<Param> params) {
        OptimizerState s = new OptimizerState(name());
        s.slots().put("m", Optimizer.zerosLike(params));
        s.slots().put("v", Optimizer.zerosLike(params));
        s.slots().put("s", Optimizer.zerosLike(params));
        s.slots().put("h", Optimizer.zerosLike(params));
        for (int i = 0; i < params.size(); i++) {
            s.scalars().put(betaKey(i), 0.0);
        }
        return s;
    }

    @Override
    public void update(List<Param> params, OptimizerState state) {
        List<Tensor> m = state.slot("m");
        List<Tensor> v = state.slot("v");
        List<Tensor> s = state.slot("s");
        List<Tensor> h = state.slot("h");
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            double beta = state.scalar(betaKey(i));
            double[] l1 = p.value().backend().yamAdamUpdate(p.value(), p.grad(), m.get(i), v.get(i), s.get(i), h.get(i),
                    beta, eps);
            state.scalars().put(betaKey(i), nextBeta(l1[0], l1[1], eps));
        }
        state.setStep(state.step() + 1);
    }

    /** β for the next step from the L1 norms of the previous and the new update. */
    public static double nextBeta(double oldL1, double newL1, double eps) {
        double ratio = (oldL1 + eps) / (newL1 + eps);
        return 1.0 / (1.0 + Math.exp(-ratio)) - eps;
    }

    /** The state scalar holding β of the parameter tensor at this index. */
    public static String betaKey(int index) {
        return "beta." + index;
    }
}
