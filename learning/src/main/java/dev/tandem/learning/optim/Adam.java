package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Tensor;

import java.util.List;

/** Adam (Kingma & Ba) with bias correction. */
public record Adam(double lr, double beta1, double beta2, double eps) implements Optimizer {
    public Adam {
        Optimizer.requireRange(lr > 0 && Double.isFinite(lr), "adam.lr", lr, "> 0");
        Optimizer.requireRange(beta1 >= 0 && beta1 < 1, "adam.beta1", beta1, "[0, 1)");
        Optimizer.requireRange(beta2 >= 0 && beta2 < 1, "adam.beta2", beta2, "[0, 1)");
        Optimizer.requireRange(eps > 0, "adam.eps", eps, "> 0");
    }

    public Adam(double lr) {
        this(lr, 0.9, 0.999, 1e-8);
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public OptimizerState init(List<Param> params) {
        OptimizerState s = new OptimizerState(name());
        s.slots().put("m", Optimizer.zerosLike(params));
        s.slots().put("v", Optimizer.zerosLike(params));
        return s;
    }

    @Override
    public void update(List<Param> params, OptimizerState state) {
        long t = state.step() + 1;
        List<Tensor> m = state.slot("m");
        List<Tensor> v = state.slot("v");
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            p.value().backend().adamUpdate(p.value(), p.grad(), m.get(i), v.get(i), lr, beta1, beta2, eps, t);
        }
        state.setStep(t);
    }
}
