package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/** 1-D convolution over [N, C, L] with weights [O, C, k]: a 2-D convolution of height 1. */
public final class Conv1d implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int inChannels;
    private final int length;
    private final ConvGeometry geometry;
    private final Param weight;
    private final Param bias;
    private final Tensor weight4;
    private final Tensor weightGrad4;
    private Tensor x4;
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dx;
    private final Workspace dxBuffers = new Workspace();

    public record Spec(int filters, int kernel, int stride, Padding padding) implements LayerSpec {
        public Spec {
            LayerSpec.require(filters >= 1, "conv1d.filters", filters, ">= 1");
            LayerSpec.require(kernel >= 1, "conv1d.kernel", kernel, ">= 1");
            LayerSpec.require(stride >= 1, "conv1d.stride", stride, ">= 1");
            LayerSpec.require(padding != null, "conv1d.padding", padding, "SAME, VALID");
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            if (inputShape.length != 2) {
                throw new IllegalArgumentException("conv1d needs [C, L] inputs, got rank " + inputShape.length);
            }
            return new Conv1d(this, backend, dtype, inputShape, seed);
        }

        @Override
        public String tag() {
            return "conv1d";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeInt(filters);
            out.writeInt(kernel);
            out.writeInt(stride);
            out.writeUTF(padding.name());
        }
    }

    private Conv1d(Spec spec, Backend backend, DType dtype, int[] in, long seed) {
        this.spec = spec;
        this.backend = backend;
        this.inChannels = in[0];
        this.length = in[1];
        this.geometry = ConvGeometry.of(1, length, 1, spec.kernel(), 1, spec.stride(), spec.padding());
        this.weight = Param.of("weight", Init.uniformFanIn(backend, dtype, seed, inChannels * spec.kernel(),
                spec.filters(), inChannels, spec.kernel()));
        this.bias = Param.of("bias", backend.zeros(dtype, spec.filters()));
        this.weight4 = weight.value().reshape(spec.filters(), inChannels, 1, spec.kernel());
        this.weightGrad4 = weight.grad().reshape(spec.filters(), inChannels, 1, spec.kernel());
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public int[] outputShape() {
        return new int[] {spec.filters(), geometry.outW()};
    }

    @Override
    public Tensor forward(Tensor input, Pass pass, int layerIndex) {
        int n = input.dim(0);
        x4 = input.reshape(n, inChannels, 1, length);
        y = yBuffers.ensure(backend, input.dtype(), n, spec.filters(), geometry.outW());
        backend.conv2dForward(x4, weight4, bias.value(), geometry, y.reshape(n, spec.filters(), 1, geometry.outW()));
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        int n = dy.dim(0);
        dx = dxBuffers.ensure(backend, dy.dtype(), n, inChannels, length);
        backend.conv2dBackward(x4, weight4, dy.reshape(n, spec.filters(), 1, geometry.outW()), geometry,
                dx.reshape(n, inChannels, 1, length), weightGrad4, bias.grad());
        return dx;
    }

    @Override
    public Tensor backwardParameters(Tensor dy) {
        int n = dy.dim(0);
        backend.conv2dBackward(x4, weight4, dy.reshape(n, spec.filters(), 1, geometry.outW()), geometry, null,
                weightGrad4, bias.grad());
        return null;
    }

    @Override
    public List<Param> params() {
        return List.of(weight, bias);
    }
}
