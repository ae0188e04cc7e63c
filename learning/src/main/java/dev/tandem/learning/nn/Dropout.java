package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;

/**
 * Inverted dropout: in training, each element is zeroed with probability p and the rest scaled by 1/(1−p);
 * at inference it is the identity. The mask is a pure function of the pass seed and the layer index.
 */
public final class Dropout implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int[] shape;
    private Tensor mask;
    private final Workspace maskBuffers = new Workspace();
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dx;
    private final Workspace dxBuffers = new Workspace();
    private boolean active;

    public record Spec(double p) implements LayerSpec {
        public Spec {
            LayerSpec.require(p >= 0 && p < 1, "dropout.p", p, "[0, 1)");
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            return new Dropout(this, backend, inputShape);
        }

        @Override
        public String tag() {
            return "dropout";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeDouble(p);
        }
    }

    private Dropout(Spec spec, Backend backend, int[] in) {
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
        active = pass.training() && spec.p() > 0;
        if (!active) {
            return x;
        }
        mask = maskBuffers.ensure(backend, x.dtype(), x.shape());
        backend.dropoutMask(pass.seedFor(layerIndex), spec.p(), mask);
        y = yBuffers.ensure(backend, x.dtype(), x.shape());
        backend.multiply(x, mask, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (!active) {
            return dy;
        }
        dx = dxBuffers.ensure(backend, dy.dtype(), dy.shape());
        backend.multiply(dy, mask, dx);
        return dx;
    }
}
