package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * Batch normalisation over axis 1: [N, F] (dense), [N, C, L] (1-D) or [N, C, H, W] (2-D). Training uses batch
 * statistics and updates running averages; inference uses the running averages.
 */
public final class BatchNorm implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int[] shape;
    private final Param gamma;
    private final Param beta;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor mean;
    private final Tensor invStd;
    private Tensor xHat;
    private final Workspace xHatBuffers = new Workspace();
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dx;
    private final Workspace dxBuffers = new Workspace();

    public record Spec(double eps, double momentum) implements LayerSpec {
        public Spec {
            LayerSpec.require(eps > 0 && Double.isFinite(eps), "batchnorm.eps", eps, "> 0");
            LayerSpec.require(momentum > 0 && momentum <= 1, "batchnorm.momentum", momentum, "(0, 1]");
        }

        public static Spec defaults() {
            return new Spec(1e-5, 0.1);
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            return new BatchNorm(this, backend, dtype, inputShape);
        }

        @Override
        public String tag() {
            return "batchnorm";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeDouble(eps);
            out.writeDouble(momentum);
        }
    }

    private BatchNorm(Spec spec, Backend backend, DType dtype, int[] in) {
        this.spec = spec;
        this.backend = backend;
        this.shape = in.clone();
        int c = in[0];
        this.gamma = Param.of("gamma", Init.constant(backend, dtype, 1, c));
        this.beta = Param.of("beta", backend.zeros(dtype, c));
        this.runningMean = backend.zeros(dtype, c);
        this.runningVar = Init.constant(backend, dtype, 1, c);
        this.mean = backend.zeros(dtype, c);
        this.invStd = backend.zeros(dtype, c);
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public int[] outputShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor x, Pass pass, int layerIndex) {
        y = yBuffers.ensure(backend, x.dtype(), x.shape());
        if (pass.training()) {
            xHat = xHatBuffers.ensure(backend, x.dtype(), x.shape());
            backend.batchNormTrainForward(x, gamma.value(), beta.value(), spec.eps(), spec.momentum(),
                    runningMean, runningVar, xHat, mean, invStd, y);
        } else {
            backend.batchNormInferForward(x, gamma.value(), beta.value(), runningMean, runningVar, spec.eps(), y);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (xHat == null) {
            throw new IllegalStateException("batch norm backward needs a training-mode forward pass first");
        }
        dx = dxBuffers.ensure(backend, dy.dtype(), dy.shape());
        backend.batchNormBackward(dy, xHat, gamma.value(), invStd, dx, gamma.grad(), beta.grad());
        return dx;
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public List<Tensor> buffers() {
        return List.of(runningMean, runningVar);
    }
}
