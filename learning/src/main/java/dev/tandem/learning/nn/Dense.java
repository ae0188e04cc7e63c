package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/** Fully connected layer y = x·W + b, W of shape [in, out]; inputs of any shape are flattened per example. */
public final class Dense implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int in;
    private final Param weight;
    private final Param bias;
    private Tensor x;
    private int[] xShape;
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dx;
    private final Workspace dxBuffers = new Workspace();

    public record Spec(int units) implements LayerSpec {
        public Spec {
            LayerSpec.require(units >= 1, "dense.units", units, ">= 1");
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            return new Dense(this, backend, dtype, Shapes.size(inputShape), seed);
        }

        @Override
        public String tag() {
            return "dense";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeInt(units);
        }
    }

    private Dense(Spec spec, Backend backend, DType dtype, int in, long seed) {
        this.spec = spec;
        this.backend = backend;
        this.in = in;
        this.weight = Param.of("weight", Init.uniformFanIn(backend, dtype, seed, in, in, spec.units()));
        this.bias = Param.of("bias", backend.zeros(dtype, spec.units()));
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public int[] outputShape() {
        return new int[] {spec.units()};
    }

    @Override
    public Tensor forward(Tensor input, Pass pass, int layerIndex) {
        int n = input.dim(0);
        xShape = input.shape();
        x = input.rank() == 2 ? input : input.reshape(n, in);
        y = yBuffers.ensure(backend, input.dtype(), n, spec.units());
        backend.gemm(false, false, 1, x, weight.value(), 0, y);
        backend.addBias(y, bias.value());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        backend.gemm(true, false, 1, x, dy, 0, weight.grad());
        backend.biasGradient(dy, bias.grad());
        dx = dxBuffers.ensure(backend, dy.dtype(), x.dim(0), in);
        backend.gemm(false, true, 1, dy, weight.value(), 0, dx);
        return xShape.length == 2 ? dx : dx.reshape(xShape);
    }

    @Override
    public Tensor backwardParameters(Tensor dy) {
        backend.gemm(true, false, 1, x, dy, 0, weight.grad());
        backend.biasGradient(dy, bias.grad());
        return null;
    }

    @Override
    public List<Param> params() {
        return List.of(weight, bias);
    }
}
