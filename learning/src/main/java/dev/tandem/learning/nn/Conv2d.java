package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/** 2-D convolution over [N, C, H, W] with weights [O, C, kH, kW], strides and same/valid padding. */
public final class Conv2d implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int inChannels;
    private final ConvGeometry geometry;
    private final Param weight;
    private final Param bias;
    private Tensor x;
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dx;
    private final Workspace dxBuffers = new Workspace();

    public record Spec(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding)
            implements LayerSpec {
        public Spec {
            LayerSpec.require(filters >= 1, "conv2d.filters", filters, ">= 1");
            LayerSpec.require(kernelH >= 1 && kernelW >= 1, "conv2d.kernel", kernelH + "x" + kernelW, ">= 1");
            LayerSpec.require(strideH >= 1 && strideW >= 1, "conv2d.stride", strideH + "x" + strideW, ">= 1");
            LayerSpec.require(padding != null, "conv2d.padding", padding, "SAME, VALID");
        }

        public static Spec same(int filters, int kernel) {
            return new Spec(filters, kernel, kernel, 1, 1, Padding.SAME);
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            if (inputShape.length != 3) {
                throw new IllegalArgumentException("conv2d needs [C, H, W] inputs, got rank " + inputShape.length);
            }
            return new Conv2d(this, backend, dtype, inputShape, seed);
        }

        @Override
        public String tag() {
            return "conv2d";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeInt(filters);
            out.writeInt(kernelH);
            out.writeInt(kernelW);
            out.writeInt(strideH);
            out.writeInt(strideW);
            out.writeUTF(padding.name());
        }
    }

    private Conv2d(Spec spec, Backend backend, DType dtype, int[] in, long seed) {
        this.spec = spec;
        this.backend = backend;
        this.inChannels = in[0];
        this.geometry = ConvGeometry.of(in[1], in[2], spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(),
                spec.padding());
        int fanIn = inChannels * spec.kernelH() * spec.kernelW();
        this.weight = Param.of("weight", Init.uniformFanIn(backend, dtype, seed, fanIn,
                spec.filters(), inChannels, spec.kernelH(), spec.kernelW()));
        this.bias = Param.of("bias", backend.zeros(dtype, spec.filters()));
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public int[] outputShape() {
        return new int[] {spec.filters(), geometry.outH(), geometry.outW()};
    }

    @Override
    public Tensor forward(Tensor input, Pass pass, int layerIndex) {
        x = input;
        y = yBuffers.ensure(backend, input.dtype(), input.dim(0), spec.filters(), geometry.outH(), geometry.outW());
        backend.conv2dForward(x, weight.value(), bias.value(), geometry, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = dxBuffers.ensure(backend, dy.dtype(), x.shape());
        backend.conv2dBackward(x, weight.value(), dy, geometry, dx, weight.grad(), bias.grad());
        return dx;
    }

    @Override
    public Tensor backwardParameters(Tensor dy) {
        backend.conv2dBackward(x, weight.value(), dy, geometry, null, weight.grad(), bias.grad());
        return null;
    }

    @Override
    public List<Param> params() {
        return List.of(weight, bias);
    }
}
