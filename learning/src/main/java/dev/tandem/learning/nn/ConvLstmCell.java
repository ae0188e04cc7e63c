package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.util.List;

/**
 * One peephole ConvLSTM cell (ALGORITHMS.md §2.1, Shi et al. 2015), one time step over a batch:
 * <pre>
 * [z_i, z_f, z_g, z_o] = W * [X_t, H_{t−1}] + b            one convolution over the channel concatenation
 * i = σ(z_i + w_ci ⊙ C_{t−1})   f = σ(z_f + w_cf ⊙ C_{t−1})   g = tanh(z_g)
 * C_t = f ⊙ C_{t−1} + i ⊙ g     o = σ(z_o + w_co ⊙ C_t)      H_t = o ⊙ tanh(C_t)
 * </pre>
 * Because the input-to-state and state-to-state kernels have the same size, W_x * X + W_h * H is one convolution
 * of W = [W_x | W_h] (weights [4·C_h, C_in + C_h, k, k], gate order i, f, g, o along the output channels) over
 * [X, H]; the bias is one per gate channel. The peepholes are one weight per hidden channel and gate, broadcast over
 * space: peephole [3, C_h] = (w_ci, w_cf, w_co). A cell with C_in = 0 has no input (the paper's first forecaster
 * layer). Parameters: 4·k²·(C_in + C_h)·C_h + 4·C_h + 3·C_h ({@link #parameterCount}).
 *
 * <p>Initialisation: W ~ U(±1/√((C_in + C_h)·k²)) (PyTorch's default for the one convolution of the common
 * ConvLSTM cell), biases 0 except the forget gate's, 1; peepholes 0 (so a fresh cell equals the no-peephole cell).
 *
 * <p>Kernels are odd ("same" padding is then symmetric), which makes the input gradient of a step a convolution of
 * dz with the flipped, transposed weights ({@link Backend#flipConvWeights}) — the fast convolution path — while the
 * weight gradient of all time steps is one convolution backward over the steps stacked as a batch
 * ({@link #weightGradients}). The caller (the encoder–forecaster {@link ConvLstm}) owns the per-step tensors.
 */
public final class ConvLstmCell {
    private final Backend backend;
    private final int in;
    private final int hidden;
    private final int kernel;
    private final ConvGeometry geometry;
    private final Param weight;
    private final Param bias;
    private final Param peephole;
    private final Tensor flipped;
    private final Tensor flippedHidden;

    public ConvLstmCell(Backend backend, DType dtype, int in, int hidden, int kernel, int height, int width,
                        long seed) {
        LayerSpec.require(in >= 0, "convlstm.input_channels", in, ">= 0");
        LayerSpec.require(hidden >= 1, "convlstm.hidden", hidden, ">= 1");
        LayerSpec.require(kernel >= 1 && kernel % 2 == 1, "convlstm.kernel", kernel, "odd, >= 1");
        this.backend = backend;
        this.in = in;
        this.hidden = hidden;
        this.kernel = kernel;
        this.geometry = ConvGeometry.of(height, width, kernel, kernel, 1, 1, Padding.SAME);
        int fanIn = (in + hidden) * kernel * kernel;
        this.weight = Param.of("weight", Init.uniformFanIn(backend, dtype, seed, fanIn,
                4 * hidden, in + hidden, kernel, kernel));
        double[] b = new double[4 * hidden];
        for (int k = hidden; k < 2 * hidden; k++) {
            b[k] = 1; // forget gate
        }
        this.bias = Param.of("bias", Init.fromDoubles(backend, dtype, b, 4 * hidden));
        this.peephole = Param.of("peephole", backend.zeros(dtype, 3, hidden));
        this.flipped = backend.zeros(dtype, in + hidden, 4 * hidden, kernel, kernel);
        this.flippedHidden = backend.zeros(dtype, hidden, 4 * hidden, kernel, kernel);
    }

    /** Trainable parameters of a cell: 4·k²·(C_in + C_h)·C_h + 4·C_h + 3·C_h. */
    public static long parameterCount(int in, int hidden, int kernel) {
        return 4L * kernel * kernel * (in + hidden) * hidden + 4L * hidden + 3L * hidden;
    }

    /** Multiply-adds of one step for one example (the convolution; the gates are element-wise). */
    public long macsPerStep() {
        return geometry.macs(in + hidden, 4 * hidden);
    }

    /**
     * Forward of one step: xh [N, C_in + C_h, H, W] = [X_t, H_{t−1}] (filled by the caller), cPrev = C_{t−1};
     * writes z (scratch [N, 4C_h, H, W]), gates, c, tanhC and h.
     */
    public void forward(Tensor xh, Tensor cPrev, Tensor z, Tensor gates, Tensor c, Tensor tanhC, Tensor h) {
        backend.conv2dForward(xh, weight.value(), bias.value(), geometry, z);
        backend.lstmGatesForward(z, cPrev, peephole.value(), gates, c, tanhC, h);
    }

    /** Prepares a backward pass (the flipped weights of the input gradient) and zeroes the peephole gradient. */
    public void beginBackward() {
        backend.flipConvWeights(weight.value(), flipped);
        backend.copyExamples(flipped, in, flippedHidden, 0, hidden);
        backend.fill(peephole.grad(), 0);
    }

    /**
     * Backward of the gates of one step: dh = ∂L/∂H_t (all uses), dc = ∂L/∂C_t from later steps, overwritten with
     * ∂L/∂C_{t−1}; writes dz and accumulates the peephole gradient.
     */
    public void backwardGates(Tensor gates, Tensor cPrev, Tensor c, Tensor tanhC, Tensor dh, Tensor dc, Tensor dz) {
        backend.lstmGatesBackward(gates, cPrev, c, tanhC, peephole.value(), dh, dc, dz, dc, peephole.grad());
    }

    /** ∂L/∂[X_t, H_{t−1}] = dz ⋆ W: dxh [N, C_in + C_h, H, W]. */
    public void inputGradient(Tensor dz, Tensor dxh) {
        backend.conv2dForward(dz, flipped, null, geometry, dxh);
    }

    /** ∂L/∂H_{t−1} only, when no one needs ∂L/∂X_t: dh [N, C_h, H, W]. */
    public void hiddenGradient(Tensor dz, Tensor dh) {
        backend.conv2dForward(dz, flippedHidden, null, geometry, dh);
    }

    /**
     * Writes the weight and bias gradients of all steps at once: xhAll [S·N, C_in + C_h, H, W] and dzAll
     * [S·N, 4C_h, H, W] hold every step's concatenated input and gate gradient.
     */
    public void weightGradients(Tensor xhAll, Tensor dzAll) {
        backend.conv2dBackward(xhAll, weight.value(), dzAll, geometry, null, weight.grad(), bias.grad());
    }

    public List<Param> params() {
        return List.of(weight, bias, peephole);
    }

    public Param weight() {
        return weight;
    }

    public Param bias() {
        return bias;
    }

    public Param peephole() {
        return peephole;
    }

    public int inputChannels() {
        return in;
    }

    public int hiddenChannels() {
        return hidden;
    }

    public int kernel() {
        return kernel;
    }
}
