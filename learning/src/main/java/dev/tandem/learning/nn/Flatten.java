package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;

/** Reshapes each example to a vector (a view; no copy). */
public final class Flatten implements Layer {
    private final Spec spec;
    private final int[] inShape;

    public record Spec() implements LayerSpec {
        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            return new Flatten(this, inputShape);
        }

        @Override
        public String tag() {
            return "flatten";
        }

        @Override
        public void write(DataOutput out) {
        }
    }

    private Flatten(Spec spec, int[] in) {
        this.spec = spec;
        this.inShape = in.clone();
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public int[] outputShape() {
        return new int[] {Shapes.size(inShape)};
    }

    @Override
    public Tensor forward(Tensor x, Pass pass, int layerIndex) {
        return x.reshape(x.dim(0), Shapes.size(inShape));
    }

    @Override
    public Tensor backward(Tensor dy) {
        return dy.reshape(Shapes.prepend(dy.dim(0), inShape));
    }
}
