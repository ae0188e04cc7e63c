package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The configuration of a ConvLSTM encoder–forecaster ({@link ConvLstm}): one hidden channel count and one odd
 * kernel size per layer (the encoder and the forecaster have the same layers), the horizon k (future frames out)
 * and the output channels per frame. The input window T, the input channels and the grid come from the per-example
 * input shape [T, C, H, W]; the output is [k, outputChannels, H, W].
 */
public record ConvLstmSpec(int[] hidden, int[] kernels, int horizon, int outputChannels) implements LayerSpec {
    public static final String TAG = "convlstm";

    public ConvLstmSpec {
        LayerSpec.require(hidden != null && hidden.length >= 1, "convlstm.hidden", hidden == null ? null
                : Arrays.toString(hidden), "one or more layers");
        LayerSpec.require(kernels != null && kernels.length == hidden.length, "convlstm.kernels",
                kernels == null ? null : Arrays.toString(kernels), "one kernel size per layer (" + hidden.length + ")");
        for (int h : hidden) {
            LayerSpec.require(h >= 1, "convlstm.hidden", Arrays.toString(hidden), "every layer >= 1 channels");
        }
        for (int k : kernels) {
            LayerSpec.require(k >= 1 && k % 2 == 1, "convlstm.kernels", Arrays.toString(kernels),
                    "odd sizes >= 1 (same padding must be symmetric)");
        }
        LayerSpec.require(horizon >= 1, "convlstm.horizon", horizon, ">= 1 frames");
        LayerSpec.require(outputChannels >= 1, "convlstm.output_channels", outputChannels, ">= 1");
        hidden = hidden.clone();
        kernels = kernels.clone();
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public int[] kernels() {
        return kernels.clone();
    }

    public int layers() {
        return hidden.length;
    }

    /** Σ hidden channels: the input channels of the 1×1 output convolution. */
    public int hiddenSum() {
        return Arrays.stream(hidden).sum();
    }

    /**
     * Trainable parameters for inputs of C channels (ALGORITHMS.md §2.1 per cell): the encoder's cells (the first
     * reads C channels, each other one the hidden state below), the forecaster's (the first has no input) and the
     * 1×1 output convolution (Σ hidden → outputChannels, with bias). Counted, nothing is allocated.
     */
    public long parameterCount(int inputChannels) {
        long n = 0;
        for (int l = 0; l < hidden.length; l++) {
            n += ConvLstmCell.parameterCount(l == 0 ? inputChannels : hidden[l - 1], hidden[l], kernels[l]);
            n += ConvLstmCell.parameterCount(l == 0 ? 0 : hidden[l - 1], hidden[l], kernels[l]);
        }
        return n + (long) hiddenSum() * outputChannels + outputChannels;
    }

    @Override
    public Layer build(Backend backend, DType dtype, int[] inputShape, long seed) {
        if (inputShape.length != 4) {
            throw new IllegalArgumentException("convlstm needs [T, C, H, W] inputs, got rank " + inputShape.length);
        }
        return new ConvLstm(this, backend, dtype, inputShape, seed);
    }

    @Override
    public String tag() {
        return TAG;
    }

    @Override
    public void write(DataOutput out) throws IOException {
        out.writeInt(hidden.length);
        for (int l = 0; l < hidden.length; l++) {
            out.writeInt(hidden[l]);
            out.writeInt(kernels[l]);
        }
        out.writeInt(horizon);
        out.writeInt(outputChannels);
    }

    static ConvLstmSpec read(DataInput in) throws IOException {
        int layers = in.readInt();
        if (layers < 1 || layers > 1024) {
            throw new IOException("corrupt convlstm layer count " + layers);
        }
        int[] hidden = new int[layers];
        int[] kernels = new int[layers];
        for (int l = 0; l < layers; l++) {
            hidden[l] = in.readInt();
            kernels[l] = in.readInt();
        }
        return new ConvLstmSpec(hidden, kernels, in.readInt(), in.readInt());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvLstmSpec s && Arrays.equals(hidden, s.hidden) && Arrays.equals(kernels, s.kernels)
                && horizon == s.horizon && outputChannels == s.outputChannels;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hidden) * 31 + Arrays.hashCode(kernels) * 17 + horizon * 7 + outputChannels;
    }

    @Override
    public String toString() {
        return "ConvLstmSpec[hidden=" + Arrays.toString(hidden) + ", kernels=" + Arrays.toString(kernels)
                + ", horizon=" + horizon + ", outputChannels=" + outputChannels + "]";
    }
}
