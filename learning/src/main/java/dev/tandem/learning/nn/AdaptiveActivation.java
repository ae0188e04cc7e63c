package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Locally adaptive activation (Jagtap, Kawaguchi, Karniadakis 2020; ALGORITHMS.md §3): y = σ(n·a·z) around any
 * {@link Activation} σ, with trainable slopes a (the parameter {@code slope}) and a fixed scale n ≥ 1.
 * Layer-wise (L-LAAF): one slope for the layer. Neuron-wise (N-LAAF): one slope per element of an example, i.e.
 * per neuron after a dense layer and per element of each channel's feature map (C×H×W) after a convolution.
 * Slopes start at a = 1/n (rounded so that n·a is exactly 1 in the model's precision, see {@link #initialSlope}),
 * so at initialisation the layer computes exactly σ(z). Place it after the pre-activation of a hidden layer; the output layer has no slope.
 * The slope-recovery term S(a) is {@link SlopeRecovery}; the slopes are ordinary {@link Param}s, trained by
 * whatever optimizer trains the weights.
 */
public final class AdaptiveActivation implements Layer {
    private final Spec spec;
    private final Backend backend;
    private final int[] shape;
    private final Param slope;
    private Tensor z;
    private Tensor y;
    private final Workspace yBuffers = new Workspace();
    private Tensor dz;
    private final Workspace dzBuffers = new Workspace();

    /** Layer-wise (one slope) or neuron-wise (one slope per element of an example). */
    public enum Mode {
        LAYER,
        NEURON
    }

    public record Spec(Activation function, Mode mode, double scale) implements LayerSpec {
        public Spec {
            LayerSpec.require(function != null, "adaptive_activation.function", function, Arrays.toString(Activation.values()));
            LayerSpec.require(mode != null, "adaptive_activation.mode", mode, Arrays.toString(Mode.values()));
            LayerSpec.require(scale >= 1 && Double.isFinite(scale), "adaptive_activation.n", scale, ">= 1 (finite)");
        }

        public static Spec layerWise(Activation function, double scale) {
            return new Spec(function, Mode.LAYER, scale);
        }

        public static Spec neuronWise(Activation function, double scale) {
            return new Spec(function, Mode.NEURON, scale);
        }

        @Override
        public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
            return new AdaptiveActivation(this, backend, dtype, inputShape);
        }

        @Override
        public String tag() {
            return "adaptive_activation";
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeUTF(function.name());
            out.writeUTF(mode.name());
            out.writeDouble(scale);
        }
    }

    private AdaptiveActivation(Spec spec, Backend backend, DType dtype, int[] in) {
        this.spec = spec;
        this.backend = backend;
        this.shape = in.clone();
        int[] slopeShape = spec.mode() == Mode.LAYER ? new int[] {1} : in.clone();
        Tensor a = backend.zeros(dtype, slopeShape);
        backend.fill(a, initialSlope(spec.scale(), dtype));
        this.slope = Param.of("slope", a);
    }

    /**
     * 1/n, nudged by an ulp where needed so that n·a rounded to the precision is exactly 1 (1/49·49 is not 1 in
     * double): the adaptive network then starts bit-identical to the fixed one. Such an a exists for every n ≤ 54
     * and most larger n, in float and double; where none does (n = 3.7, 55, ...) n·a is 1 to within a rounding.
     */
    public static double initialSlope(double scale, DType dtype) {
        if (dtype == DType.FLOAT32) {
            float a = (float) (1.0 / scale);
            for (float c : new float[] {a, Math.nextUp(a), Math.nextDown(a)}) {
                if ((float) (scale * c) == 1f) {
                    return c;
                }
            }
            return a;
        }
        double a = 1.0 / scale;
        for (double c : new double[] {a, Math.nextUp(a), Math.nextDown(a)}) {
            if (scale * c == 1.0) {
                return c;
            }
        }
        return a;
    }

    public Param slope() {
        return slope;
    }

    /** The scale factor n. */
    public double scale() {
        return spec.scale();
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
        if (Shapes.perExample(x.shape()) != Shapes.size(shape)) {
            throw new IllegalArgumentException("adaptive activation built for " + Arrays.toString(shape) + ", got "
                    + x.describe());
        }
        z = x;
        y = yBuffers.ensure(backend, x.dtype(), x.shape());
        backend.adaptiveActivationForward(spec.function(), x, slope.value(), spec.scale(), y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dz = dzBuffers.ensure(backend, dy.dtype(), dy.shape());
        backend.adaptiveActivationBackward(spec.function(), z, slope.value(), spec.scale(), y, dy, dz, slope.grad());
        return dz;
    }

    @Override
    public List<Param> params() {
        return List.of(slope);
    }
}
