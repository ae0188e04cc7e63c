package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Tensor;

import java.util.List;

/** SGD with heavy-ball momentum (PyTorch's form): buf = μ·buf + g (+ λ·w); w −= lr·buf. */
public record Sgd(double lr, double momentum, double weightDecay) implements Optimizer {
    public Sgd {
        Optimizer.requireRange(lr > 0 && Double.isFinite(lr), "sgd.lr", lr, "> 0");
        Optimizer.requireRange(momentum >= 0 && momentum < 1, "sgd.momentum", momentum, "[0, 1)");
        Optimizer.requireRange(weightDecay >= 0 && Double.isFinite(weightDecay), "sgd.weight_decay", weightDecay, ">= 0");
    }

    public Sgd(double lr, double momentum) {
        this(lr, momentum, 0);
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public OptimizerState init(List<Param> params) {
        OptimizerState s = new OptimizerState(name());
        s.slots().put("momentum", Optimizer.zerosLike(params));
        return s;
    }

    @Override
    public void update(List<Param> params, OptimizerState state) {
        List<Tensor> buf = state.slot("momentum");
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            p.value().backend().sgdUpdate(p.value(), p.grad(), buf.get(i), lr, momentum, weightDecay);
        }
        state.setStep(state.step() + 1);
    }
}
