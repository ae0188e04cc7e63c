package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A model as a chain of layers, built from plain {@link LayerSpec}s for a per-example input shape. */
public final class Sequential {
    private final Backend backend;
    private final DType dtype;
    private final int[] inputShape;
    private final long seed;
    private final List<LayerSpec> specs;
    private final List<Layer> layers;
    private final List<Param> params;
    private final List<Tensor> buffers;
    private final int firstTrainable;
    private LayerProfiler profiler;

    public Sequential(Backend backend, DType dtype, int[] inputShape, List<LayerSpec> specs, long seed) {
        this.backend = backend;
        this.dtype = dtype;
        this.inputShape = inputShape.clone();
        this.seed = seed;
        this.specs = List.copyOf(specs);
        List<Layer> built = new ArrayList<>();
        List<Param> ps = new ArrayList<>();
        List<Tensor> bs = new ArrayList<>();
        int[] shape = this.inputShape;
        for (int i = 0; i < specs.size(); i++) {
            Layer layer = specs.get(i).build(backend, dtype, shape, CounterRng.mix(seed, i));
            built.add(layer);
            ps.addAll(layer.params());
            bs.addAll(layer.buffers());
            shape = layer.outputShape();
        }
        this.layers = Collections.unmodifiableList(built);
        int first = built.size();
        for (int i = 0; i < built.size(); i++) {
            if (!built.get(i).params().isEmpty()) {
                first = i;
                break;
            }
        }
        this.firstTrainable = first;
        this.params = Collections.unmodifiableList(ps);
        this.buffers = Collections.unmodifiableList(bs);
    }

    public Tensor forward(Tensor x, Pass pass) {
        int[] perExample = java.util.Arrays.copyOfRange(x.shape(), 1, x.rank());
        if (Shapes.size(perExample) != Shapes.size(inputShape)) {
            throw new IllegalArgumentException("model input per example must be " + java.util.Arrays.toString(inputShape)
                    + ", got " + x.describe());
        }
        Tensor h = x.rank() == inputShape.length + 1 ? x : x.reshape(Shapes.prepend(x.dim(0), inputShape));
        for (int i = 0; i < layers.size(); i++) {
            long t0 = profiler == null ? 0 : System.nanoTime();
            h = layers.get(i).forward(h, pass, i);
            if (profiler != null) {
                profiler.record(i, false, System.nanoTime() - t0);
            }
        }
        return h;
    }

    /** Backpropagates the loss gradient with respect to the output; writes every parameter's gradient. */
    public Tensor backward(Tensor dOutput) {
        Tensor d = dOutput;
        for (int i = layers.size() - 1; i >= 0; i--) {
            long t0 = profiler == null ? 0 : System.nanoTime();
            d = layers.get(i).backward(d);
            if (profiler != null) {
                profiler.record(i, true, System.nanoTime() - t0);
            }
        }
        return d;
    }

    /**
     * Backpropagates for the parameter gradients only (training): writes the same parameter gradients as
     * {@link #backward}, but stops at the first layer with parameters and lets it skip its input gradient, which
     * no one needs (for a 1-D CNN's wide first convolution that is the most expensive gradient of the step).
     */
    public void backwardParameters(Tensor dOutput) {
        Tensor d = dOutput;
        for (int i = layers.size() - 1; i >= firstTrainable; i--) {
            long t0 = profiler == null ? 0 : System.nanoTime();
            Layer layer = layers.get(i);
            d = i == firstTrainable ? layer.backwardParameters(d) : layer.backward(d);
            if (profiler != null) {
                profiler.record(i, true, System.nanoTime() - t0);
            }
        }
    }

    /** Times every layer's forward and backward pass (null switches it off). */
    public void setProfiler(LayerProfiler profiler) {
        this.profiler = profiler;
    }

    /** Multiply-adds of one forward pass of one example through the convolution and dense layers. */
    public long forwardMacsPerExample() {
        long macs = 0;
        int[] shape = inputShape;
        for (Layer layer : layers) {
            if (layer instanceof Conv2d c) {
                macs += c.geometry().macs(shape[0], c.outputShape()[0]);
            } else if (layer instanceof Conv1d c) {
                macs += (long) c.outputShape()[0] * c.outputShape()[1] * shape[0] * ((Conv1d.Spec) c.spec()).kernel();
            } else if (layer instanceof ConvLstm c) {
                macs += c.forwardMacsPerExample();
            } else if (layer instanceof Dense d) {
                macs += (long) Shapes.size(shape) * d.outputShape()[0];
            }
            shape = layer.outputShape();
        }
        return macs;
    }

    public List<Param> params() {
        return params;
    }

    public List<Tensor> buffers() {
        return buffers;
    }

    public List<Layer> layers() {
        return layers;
    }

    public List<LayerSpec> specs() {
        return specs;
    }

    public long parameterCount() {
        long n = 0;
        for (Param p : params) {
            n += p.value().size();
        }
        return n;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        return layers.isEmpty() ? inputShape.clone() : layers.get(layers.size() - 1).outputShape();
    }

    public Backend backend() {
        return backend;
    }

    public DType dtype() {
        return dtype;
    }

    public long seed() {
        return seed;
    }
}
