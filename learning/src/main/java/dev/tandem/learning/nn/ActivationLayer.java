package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;

/** An element-wise activation: ReLU, ELU, sigmoid, tanh. */
public final class ActivationLayer implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int[] shape;
    private Tensor z;
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dz;
    private final Workspace dzBuffers = new Workspace();

    public record Spec(Activation function) implements LayerSpec {
        public Spec {
            LayerSpec.require(function != null, "activation", function, java.util.Arrays.toString(Activation.values()));
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            return new ActivationLayer(this, backend, inputShape);
        }

        @Override
        public String tag() {
            return "activation";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeUTF(function.name());
        }
    }

    public static Spec relu() {
        return new Spec(Activation.RELU);
    }

    private ActivationLayer(Spec spec, Backend backend, int[] in) {
        this.spec = spec;
        this.backend = backend;
        this.shape = in.clone();
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
        z = x;
        y = yBuffers.ensure(backend, x.dtype(), x.shape());
        backend.activationForward(spec.function(), x, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dz = dzBuffers.ensure(backend, dy.dtype(), dy.shape());
        backend.activationBackward(spec.function(), z, y, dy, dz);
        return dz;
    }
}
