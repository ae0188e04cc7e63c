package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ConvLSTM encoder–forecaster of Shi et al. (2015), ALGORITHMS.md §2.1, as one layer: per example, T input
 * frames [T, C, H, W] in, k future frames [k, C_out, H, W] out.
 * <ul>
 *   <li>Encoder: L stacked {@link ConvLstmCell}s read the frames; layer 0 reads X_t, layer l the H_t of layer l−1.
 *       States start at zero.</li>
 *   <li>Forecaster: L cells of the same sizes (own weights), each starting from the final (H, C) of the encoder's
 *       layer of the same index, run k steps. As in the paper the forecaster has no input: its layer 0 is a cell
 *       with C_in = 0 (only the recurrence); its layer l reads the H_t of layer l−1. (This is also what gives the
 *       paper's parameter counts.)</li>
 *   <li>Output: frame j = a 1×1 convolution (with bias) over the concatenated hidden states of all forecaster
 *       layers at step j, [Σ C_h, H, W] → [C_out, H, W]; no output nonlinearity.</li>
 * </ul>
 * Training is backpropagation through time over the whole window (T + k steps). Per step each cell does one
 * convolution forward and, backward, one convolution for the input gradient; the weight gradients of all steps are
 * one convolution backward per cell over the steps stacked as a batch, so at batch 1 the products are T·N wide.
 * Every per-step tensor is allocated once per batch size and reused.
 *
 * <p>Parameters, in order: encoder cells 0..L−1 (weight, bias, peephole), forecaster cells 0..L−1, output weight
 * [C_out, Σ C_h, 1, 1] ~ U(±1/√Σ C_h), output bias 0.
 */
public final class ConvLstm implements Layer {
    private final ConvLstmSpec spec;
    private final Backend backend;
    private final DType dtype;
    private final int frames;
    private final int channels;
    private final int height;
    private final int width;
    private final int layers;
    private final int[] hidden;
    private final int[] offsets;
    private final ConvLstmCell[] encoder;
    private final ConvLstmCell[] forecaster;
    private final Param outWeight;
    private final Param outBias;
    private final ConvGeometry pointwise;
    private final List<Param> params;
    private Buffers buffers;
    private long[] phaseNanos;

    /** Phases timed by {@link #setProfiling}. */
    public static final String[] PHASES = {"copies", "conv forward", "gates forward", "output conv",
            "gates backward", "conv input gradient", "conv weight gradient"};

    ConvLstm(ConvLstmSpec spec, Backend backend, DType dtype, int[] in, long seed) {
        this.spec = spec;
        this.backend = backend;
        this.dtype = dtype;
        this.frames = in[0];
        this.channels = in[1];
        this.height = in[2];
        this.width = in[3];
        LayerSpec.require(frames >= 1, "convlstm input frames (T)", frames, ">= 1");
        LayerSpec.require(channels >= 1, "convlstm input channels", channels, ">= 1");
        LayerSpec.require(height >= 1 && width >= 1, "convlstm grid", height + "x" + width, ">= 1x1");
        this.layers = spec.layers();
        this.hidden = spec.hidden();
        int[] kernels = spec.kernels();
        this.offsets = new int[layers];
        this.encoder = new ConvLstmCell[layers];
        this.forecaster = new ConvLstmCell[layers];
        List<Param> ps = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            offsets[l] = l == 0 ? 0 : offsets[l - 1] + hidden[l - 1];
            encoder[l] = new ConvLstmCell(backend, dtype, l == 0 ? channels : hidden[l - 1], hidden[l], kernels[l],
                    height, width, CounterRng.mix(seed, l));
        }
        for (int l = 0; l < layers; l++) {
            forecaster[l] = new ConvLstmCell(backend, dtype, l == 0 ? 0 : hidden[l - 1], hidden[l], kernels[l],
                    height, width, CounterRng.mix(seed, layers + l));
        }
        for (int l = 0; l < layers; l++) {
            named(ps, "encoder." + l + ".", encoder[l]);
        }
        for (int l = 0; l < layers; l++) {
            named(ps, "forecaster." + l + ".", forecaster[l]);
        }
        int sum = spec.hiddenSum();
        this.outWeight = Param.of("output.weight", Init.uniformFanIn(backend, dtype, CounterRng.mix(seed, 2 * layers),
                sum, spec.outputChannels(), sum, 1, 1));
        this.outBias = Param.of("output.bias", backend.zeros(dtype, spec.outputChannels()));
        ps.add(outWeight);
        ps.add(outBias);
        this.params = Collections.unmodifiableList(ps);
        this.pointwise = ConvGeometry.of(height, width, 1, 1, 1, 1, Padding.SAME);
    }

    private static void named(List<Param> ps, String prefix, ConvLstmCell cell) {
        for (Param p : cell.params()) {
            // the same tensors under a model-wide name
            ps.add(new Param(prefix + p.name(), p.value(), p.grad()));
        }
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public int[] outputShape() {
        return new int[] {spec.horizon(), spec.outputChannels(), height, width};
    }

    @Override
    public List<Param> params() {
        return params;
    }

    public ConvLstmCell encoderCell(int layer) {
        return encoder[layer];
    }

    public ConvLstmCell forecasterCell(int layer) {
        return forecaster[layer];
    }

    public Param outputWeight() {
        return outWeight;
    }

    public Param outputBias() {
        return outBias;
    }

    /** Multiply-adds of one forward pass of one example (the convolutions). */
    public long forwardMacsPerExample() {
        long macs = 0;
        for (int l = 0; l < layers; l++) {
            macs += frames * encoder[l].macsPerStep() + (long) spec.horizon() * forecaster[l].macsPerStep();
        }
        return macs + (long) spec.horizon() * pointwise.macs(spec.hiddenSum(), spec.outputChannels());
    }

    /** Times the phases of every pass ({@link #PHASES}) from now on, or stops (false). */
    public void setProfiling(boolean on) {
        phaseNanos = on ? new long[PHASES.length] : null;
    }

    /** Milliseconds per phase since profiling was switched on. */
    public Map<String, Double> phaseMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (phaseNanos != null) {
            for (int i = 0; i < PHASES.length; i++) {
                out.put(PHASES[i], phaseNanos[i] / 1e6);
            }
        }
        return out;
    }

    private long t0;

    private void lap(int phase) {
        if (phaseNanos != null) {
            long now = System.nanoTime();
            phaseNanos[phase] += now - t0;
            t0 = now;
        }
    }

    private void start() {
        if (phaseNanos != null) {
            t0 = System.nanoTime();
        }
    }

    // ---- forward --------------------------------------------------------------------------------------

    @Override
    public Tensor forward(Tensor x, Pass pass, int layerIndex) {
        int n = x.dim(0);
        if (x.size() != n * frames * channels * height * width) {
            throw new IllegalArgumentException("convlstm input must be [N, " + frames + ", " + channels + ", " + height
                    + ", " + width + "], got " + x.describe());
        }
        Buffers b = buffers(n);
        int k = spec.horizon();
        Tensor x4 = x.reshape(n, frames * channels, height, width);
        start();
        for (int t = 0; t < frames; t++) {
            for (int l = 0; l < layers; l++) {
                ConvLstmCell cell = encoder[l];
                int in = cell.inputChannels();
                Tensor xh = b.encXh[l];
                if (l == 0) {
                    backend.copyChannels(x4, t * channels, xh, 0, channels);
                } else {
                    backend.copyChannels(b.enc[l - 1][t].h, 0, xh, 0, in);
                }
                backend.copyChannels(t == 0 ? b.zeros[l] : b.enc[l][t - 1].h, 0, xh, in, hidden[l]);
                lap(0);
                step(cell, xh, t == 0 ? b.zeros[l] : b.enc[l][t - 1].c, b.z[l], b.enc[l][t]);
                backend.copyExamples(xh, 0, b.encXhAll[l], t * n, n);
                lap(0);
            }
        }
        for (int j = 0; j < k; j++) {
            for (int l = 0; l < layers; l++) {
                ConvLstmCell cell = forecaster[l];
                int in = cell.inputChannels();
                Step prev = j == 0 ? b.enc[l][frames - 1] : b.fc[l][j - 1];
                Tensor xh = b.fcXh[l];
                if (l > 0) {
                    backend.copyChannels(b.fc[l - 1][j].h, 0, xh, 0, in);
                }
                backend.copyChannels(prev.h, 0, xh, in, hidden[l]);
                lap(0);
                step(cell, xh, prev.c, b.z[l], b.fc[l][j]);
                backend.copyExamples(xh, 0, b.fcXhAll[l], j * n, n);
                backend.copyChannels(b.fc[l][j].h, 0, b.hcat, offsets[l], hidden[l]);
                lap(0);
            }
            for (int e = 0; e < n; e++) {
                backend.copyExamples(b.hcat, e, b.hcatAll, e * k + j, 1);
            }
            lap(0);
        }
        backend.conv2dForward(b.hcatAll, outWeight.value(), outBias.value(), pointwise, b.out);
        lap(3);
        return b.out.reshape(n, k, spec.outputChannels(), height, width);
    }

    private void step(ConvLstmCell cell, Tensor xh, Tensor cPrev, Tensor z, Step s) {
        if (phaseNanos == null) {
            cell.forward(xh, cPrev, z, s.gates, s.c, s.tanhC, s.h);
            return;
        }
        // the same two calls as ConvLstmCell.forward, timed apart
        backend.conv2dForward(xh, cell.weight().value(), cell.bias().value(),
                ConvGeometry.of(height, width, cell.kernel(), cell.kernel(), 1, 1, Padding.SAME), z);
        lap(1);
        backend.lstmGatesForward(z, cPrev, cell.peephole().value(), s.gates, s.c, s.tanhC, s.h);
        lap(2);
    }

    // ---- backward -------------------------------------------------------------------------------------

    @Override
    public Tensor backward(Tensor dy) {
        backward(dy, true);
        return buffers.dx.reshape(buffers.n, frames, channels, height, width);
    }

    @Override
    public Tensor backwardParameters(Tensor dy) {
        backward(dy, false);
        return null;
    }

    private void backward(Tensor dy, boolean inputGradient) {
        Buffers b = buffers;
        if (b == null) {
            throw new IllegalStateException("convlstm backward before forward");
        }
        int n = b.n;
        int k = spec.horizon();
        if (dy.size() != n * k * spec.outputChannels() * height * width) {
            throw new IllegalArgumentException("convlstm output gradient must be shaped like the output, got "
                    + dy.describe());
        }
        start();
        backend.conv2dBackward(b.hcatAll, outWeight.value(), dy.reshape(n * k, spec.outputChannels(), height, width),
                pointwise, b.dHcatAll, outWeight.grad(), outBias.grad());
        lap(3);
        for (int l = 0; l < layers; l++) {
            encoder[l].beginBackward();
            forecaster[l].beginBackward();
            backend.fill(b.dH[l], 0);
            backend.fill(b.dC[l], 0);
        }
        Tensor x4dx = b.dx.reshape(n, frames * channels, height, width);
        lap(0);
        for (int j = k - 1; j >= 0; j--) {
            for (int e = 0; e < n; e++) {
                backend.copyExamples(b.dHcatAll, e * k + j, b.dhcat, e, 1);
            }
            for (int l = layers - 1; l >= 0; l--) {
                ConvLstmCell cell = forecaster[l];
                int in = cell.inputChannels();
                backend.addChannels(b.dhcat, offsets[l], b.dH[l], 0, hidden[l]);
                Step s = b.fc[l][j];
                Tensor cPrev = j == 0 ? b.enc[l][frames - 1].c : b.fc[l][j - 1].c;
                lap(0);
                cell.backwardGates(s.gates, cPrev, s.c, s.tanhC, b.dH[l], b.dC[l], b.dz[l]);
                lap(4);
                backend.copyExamples(b.dz[l], 0, b.fcDzAll[l], j * n, n);
                lap(0);
                cell.inputGradient(b.dz[l], b.fcDxh[l]);
                lap(5);
                backend.copyChannels(b.fcDxh[l], in, b.dH[l], 0, hidden[l]);
                if (l > 0) {
                    backend.addChannels(b.fcDxh[l], 0, b.dH[l - 1], 0, in);
                }
                lap(0);
            }
        }
        for (int t = frames - 1; t >= 0; t--) {
            for (int l = layers - 1; l >= 0; l--) {
                ConvLstmCell cell = encoder[l];
                int in = cell.inputChannels();
                Step s = b.enc[l][t];
                cell.backwardGates(s.gates, t == 0 ? b.zeros[l] : b.enc[l][t - 1].c, s.c, s.tanhC, b.dH[l], b.dC[l],
                        b.dz[l]);
                lap(4);
                backend.copyExamples(b.dz[l], 0, b.encDzAll[l], t * n, n);
                lap(0);
                if (l > 0 || inputGradient) {
                    cell.inputGradient(b.dz[l], b.encDxh[l]);
                    lap(5);
                    backend.copyChannels(b.encDxh[l], in, b.dH[l], 0, hidden[l]);
                    if (l > 0) {
                        backend.addChannels(b.encDxh[l], 0, b.dH[l - 1], 0, in);
                    } else {
                        backend.copyChannels(b.encDxh[l], 0, x4dx, t * channels, channels);
                    }
                    lap(0);
                } else if (t > 0) {
                    cell.hiddenGradient(b.dz[l], b.dH[l]);
                    lap(5);
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            encoder[l].weightGradients(b.encXhAll[l], b.encDzAll[l]);
            forecaster[l].weightGradients(b.fcXhAll[l], b.fcDzAll[l]);
        }
        lap(6);
    }

    // ---- buffers --------------------------------------------------------------------------------------

    /** The tensors of one time step of one cell that the backward pass reads. */
    private static final class Step {
        final Tensor gates;
        final Tensor c;
        final Tensor tanhC;
        final Tensor h;

        Step(Backend be, DType dt, int n, int ch, int hh, int ww) {
            gates = be.zeros(dt, n, 4 * ch, hh, ww);
            c = be.zeros(dt, n, ch, hh, ww);
            tanhC = be.zeros(dt, n, ch, hh, ww);
            h = be.zeros(dt, n, ch, hh, ww);
        }
    }

    /** Every tensor of a pass at one batch size. */
    private final class Buffers {
        final int n;
        final Tensor[] zeros = new Tensor[layers];
        final Tensor[] z = new Tensor[layers];
        final Tensor[] dz = new Tensor[layers];
        final Tensor[] encXh = new Tensor[layers];
        final Tensor[] fcXh = new Tensor[layers];
        final Tensor[] encXhAll = new Tensor[layers];
        final Tensor[] fcXhAll = new Tensor[layers];
        final Tensor[] encDzAll = new Tensor[layers];
        final Tensor[] fcDzAll = new Tensor[layers];
        final Tensor[] encDxh = new Tensor[layers];
        final Tensor[] fcDxh = new Tensor[layers];
        final Tensor[] dH = new Tensor[layers];
        final Tensor[] dC = new Tensor[layers];
        final Step[][] enc = new Step[layers][];
        final Step[][] fc = new Step[layers][];
        final Tensor hcat;
        final Tensor hcatAll;
        final Tensor dhcat;
        final Tensor dHcatAll;
        final Tensor out;
        final Tensor dx;

        Buffers(int n) {
            this.n = n;
            int k = spec.horizon();
            int hw = height;
            int ww = width;
            for (int l = 0; l < layers; l++) {
                int ch = hidden[l];
                int encIn = encoder[l].inputChannels() + ch;
                int fcIn = forecaster[l].inputChannels() + ch;
                zeros[l] = backend.zeros(dtype, n, ch, hw, ww);
                z[l] = backend.zeros(dtype, n, 4 * ch, hw, ww);
                dz[l] = backend.zeros(dtype, n, 4 * ch, hw, ww);
                encXh[l] = backend.zeros(dtype, n, encIn, hw, ww);
                fcXh[l] = backend.zeros(dtype, n, fcIn, hw, ww);
                encXhAll[l] = backend.zeros(dtype, frames * n, encIn, hw, ww);
                fcXhAll[l] = backend.zeros(dtype, k * n, fcIn, hw, ww);
                encDzAll[l] = backend.zeros(dtype, frames * n, 4 * ch, hw, ww);
                fcDzAll[l] = backend.zeros(dtype, k * n, 4 * ch, hw, ww);
                encDxh[l] = backend.zeros(dtype, n, encIn, hw, ww);
                fcDxh[l] = backend.zeros(dtype, n, fcIn, hw, ww);
                dH[l] = backend.zeros(dtype, n, ch, hw, ww);
                dC[l] = backend.zeros(dtype, n, ch, hw, ww);
                enc[l] = new Step[frames];
                for (int t = 0; t < frames; t++) {
                    enc[l][t] = new Step(backend, dtype, n, ch, hw, ww);
                }
                fc[l] = new Step[k];
                for (int j = 0; j < k; j++) {
                    fc[l][j] = new Step(backend, dtype, n, ch, hw, ww);
                }
            }
            int sum = spec.hiddenSum();
            hcat = backend.zeros(dtype, n, sum, hw, ww);
            dhcat = backend.zeros(dtype, n, sum, hw, ww);
            hcatAll = backend.zeros(dtype, n * k, sum, hw, ww);
            dHcatAll = backend.zeros(dtype, n * k, sum, hw, ww);
            out = backend.zeros(dtype, n * k, spec.outputChannels(), hw, ww);
            dx = backend.zeros(dtype, n, frames * channels, hw, ww);
        }
    }

    private Buffers buffers(int n) {
        if (buffers == null || buffers.n != n) {
            buffers = new Buffers(n);
        }
        return buffers;
    }
}
