package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.util.Arrays;

/** Softmax over the features of each example ([N, K]). Training usually folds it into the cross-entropy loss. */
public final class Softmax implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int[] shape;
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dx;
    private final Workspace dxBuffers = new Workspace();

    public record Spec() implements LayerSpec {
        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            if (inputShape.length != 1) {
                throw new IllegalArgumentException("softmax needs [K] inputs, got " + Arrays.toString(inputShape));
            }
            return new Softmax(this, backend, inputShape);
        }

        @Override
        public String tag() {
            return "softmax";
        }

        @Override
        public void write(DataOutput out) {
        }
    }

    private Softmax(Spec spec, Backend backend, int[] in) {
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
        y = yBuffers.ensure(backend, x.dtype(), x.shape());
        backend.softmaxRows(x, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = dxBuffers.ensure(backend, dy.dtype(), dy.shape());
        backend.softmaxRowsBackward(y, dy, dx);
        return dx;
    }
}
