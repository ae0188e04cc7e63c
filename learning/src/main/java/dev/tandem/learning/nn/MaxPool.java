package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;

/**
 * Non-overlapping max pooling (window = stride, no padding, the remainder dropped) over [N, C, H, W], or over
 * [N, C, L] with {@code sizeH = 1}.
 */
public final class MaxPool implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int[] inShape;
    private final ConvGeometry geometry;
    private Tensor x;
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dx;
    private final Workspace dxBuffers = new Workspace();

    public record Spec(int sizeH, int sizeW) implements LayerSpec {
        public Spec {
            LayerSpec.require(sizeH >= 1 && sizeW >= 1, "maxpool.size", sizeH + "x" + sizeW, ">= 1");
        }

        public static Spec square(int size) {
            return new Spec(size, size);
        }

        public static Spec of1d(int size) {
            return new Spec(1, size);
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            return new MaxPool(this, backend, inputShape);
        }

        @Override
        public String tag() {
            return "maxpool";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeInt(sizeH);
            out.writeInt(sizeW);
        }
    }

    private MaxPool(Spec spec, Backend backend, int[] in) {
        if (in.length != 2 && in.length != 3) {
            throw new IllegalArgumentException("maxpool needs [C, L] or [C, H, W] inputs, got rank " + in.length);
        }
        if (in.length == 2 && spec.sizeH() != 1) {
            throw new IllegalArgumentException("maxpool over [C, L] needs sizeH = 1, got " + spec.sizeH());
        }
        this.spec = spec;
        this.backend = backend;
        this.inShape = in.clone();
        int h = in.length == 3 ? in[1] : 1;
        int w = in[in.length - 1];
        this.geometry = ConvGeometry.of(h, w, spec.sizeH(), spec.sizeW(), spec.sizeH(), spec.sizeW(), Padding.VALID);
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public int[] outputShape() {
        return inShape.length == 3
                ? new int[] {inShape[0], geometry.outH(), geometry.outW()}
                : new int[] {inShape[0], geometry.outW()};
    }

    @Override
    public Tensor forward(Tensor input, Pass pass, int layerIndex) {
        int n = input.dim(0);
        x = as4d(input);
        y = yBuffers.ensure(backend, input.dtype(), prependBatch(n, outputShape()));
        backend.maxPoolForward(x, geometry, as4d(y));
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = dxBuffers.ensure(backend, dy.dtype(), prependBatch(dy.dim(0), inShape));
        backend.maxPoolBackward(x, as4d(dy), geometry, as4d(dx));
        return dx;
    }

    private Tensor as4d(Tensor t) {
        return t.rank() == 4 ? t : t.reshape(t.dim(0), t.dim(1), 1, t.dim(2));
    }

    private static int[] prependBatch(int n, int[] shape) {
        return dev.tandem.learning.tensor.Shapes.prepend(n, shape);
    }
}
