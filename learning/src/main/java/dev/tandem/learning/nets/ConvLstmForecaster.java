package dev.tandem.learning.nets;

import dev.tandem.learning.nn.ConvLstm;
import dev.tandem.learning.nn.ConvLstmSpec;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;

import java.util.List;

/**
 * The ConvLSTM forecaster (ALGORITHMS.md §2.1) as a model: a {@link Sequential} holding one {@link ConvLstm} layer,
 * so that it trains through {@code SupervisedObjective} with every optimizer (S-SGD included) and saves with
 * {@code ModelCodec}. Input per example [T, C, H, W] (T frames of C channels on an H×W grid), output
 * [k, C_out, H, W]. See docs/RAINFALL.md, "The ConvLSTM forecaster".
 */
public final class ConvLstmForecaster {
    /** Paper (Shi et al. 2015, Table): ConvLSTM(5×5)-5×5-256 on 16 input channels, 16 output channels. */
    public static final long PAPER_ONE_LAYER_256 = 13_524_496L;
    /** Paper: two layers of 128 (5×5), 16 input and output channels. */
    public static final long PAPER_TWO_LAYERS_128 = 10_042_896L;

    /** WORKLOADS.md W2: 4 channels, 32×32, hidden 16 + 16, 3×3 kernels, 8 frames → the next frame. */
    public static final ConvLstmSpec W2 = new ConvLstmSpec(new int[] {16, 16}, new int[] {3, 3}, 1, 4);
    public static final int W2_FRAMES = 8;
    public static final int W2_CHANNELS = 4;
    public static final int W2_GRID = 32;

    private ConvLstmForecaster() {
    }

    /** A model for windows of {@code frames} frames of {@code channels} × {@code height} × {@code width}. */
    public static Sequential build(ConvLstmSpec spec, Backend backend, DType dtype, int frames, int channels,
                                   int height, int width, long seed) {
        return new Sequential(backend, dtype, new int[] {frames, channels, height, width}, List.of(spec), seed);
    }

    /** The W2 benchmark model. */
    public static Sequential w2(Backend backend, DType dtype, long seed) {
        return build(W2, backend, dtype, W2_FRAMES, W2_CHANNELS, W2_GRID, W2_GRID, seed);
    }

    /** The ConvLstm layer of a model built here. */
    public static ConvLstm layer(Sequential model) {
        return (ConvLstm) model.layers().get(0);
    }
}
