package dev.tandem.learning.tensor;

/**
 * The compute SPI. A backend owns its tensors' memory and implements every operation the layers, losses and
 * optimizers need. All tensors are NCHW / row-major; an output argument is written, never read, unless its
 * documentation says "accumulate".
 *
 * <p>The SPI has two parts. The <b>core</b> (the abstract methods: memory and copies, element-wise maps and
 * reductions, products, convolutions and pooling, activations, the counter-based random numbers) is what every
 * backend implements. The <b>fused kernels</b> (batch norm, the losses, the optimizer updates, the ConvLSTM gate
 * passes, ...) are default methods built from the core alone (see {@link FusedDefaults}), so a backend whose tensors
 * live off the heap, on a GPU, works as soon as its core does; it overrides a fused kernel only where one pass
 * instead of several is worth it. Operations are deliberately coarse (a whole convolution, a whole optimizer
 * update) so that a backend with a high per-call cost (ND4J, a GPU) pays it once per layer, not once per element.
 *
 * <p>Implementations: {@code JavaBackend} (plain-Java reference, float and double, overrides everything),
 * {@code Nd4jBackend} (backend-nd4j), {@code CudaBackend} (backend-cuda), found through {@link BackendProvider}
 * and {@link java.util.ServiceLoader}. The conformance kit ({@code BackendConformanceKit} in the learning test-jar)
 * checks a backend against the reference, one case per method.
 */
public interface Backend {

    /** Stable short name, as used by {@code compute.backend}. */
    String name();

    // ---- memory ---------------------------------------------------------------------------------------

    Tensor zeros(DType dtype, int... shape);

    Tensor fromHost(float[] data, int... shape);

    Tensor fromHost(double[] data, int... shape);

    /** Copies a tensor's values into a host array of exactly its size. */
    void copyToHost(Tensor src, float[] dst);

    void copyToHost(Tensor src, double[] dst);

    /** Overwrites a tensor's values from a host array of exactly its size. */
    void copyFromHost(float[] src, Tensor dst);

    void copyFromHost(double[] src, Tensor dst);

    /** A view with another shape of the same size, sharing storage. */
    Tensor reshape(Tensor t, int... shape);

    /** Copies {@code count} examples (slices along axis 0) of src starting at {@code srcFirst} into dst starting at {@code dstFirst}. */
    default void copyExamples(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count) {
        FusedDefaults.copyExamples(this, src, srcFirst, dst, dstFirst, count);
    }

    // ---- element-wise and reductions ------------------------------------------------------------------

    void fill(Tensor t, double value);

    default void copy(Tensor src, Tensor dst) {
        FusedDefaults.copy(this, src, dst);
    }

    /** y = a * x + b * y; with b = 0, y is written without being read (as in BLAS), so a NaN in y does not survive. */
    void axpby(double a, Tensor x, double b, Tensor y);

    /** out = x ⊙ y (out may alias x or y). */
    void multiply(Tensor x, Tensor y, Tensor out);

    /** out = x / y element-wise (out may alias x or y). */
    void divide(Tensor x, Tensor y, Tensor out);

    /** y = op(x) element-wise (y may alias x). */
    void unary(Unary op, Tensor x, Tensor y);

    /** out[n, c, ...] = x[n, c, ...] · scale[c] for x of shape [N, C, spatial...] (out may alias x). */
    void scaleChannels(Tensor x, Tensor scale, Tensor out);

    double sum(Tensor t);

    /** Σ t². */
    default double sumSquares(Tensor t) {
        return dot(t, t);
    }

    /** Σ |t|. */
    double sumAbs(Tensor t);

    /** Σ x ⊙ y. */
    double dot(Tensor x, Tensor y);

    /** True when every element is finite. */
    boolean allFinite(Tensor t);

    /**
     * t = min(max(t, lo), hi) element-wise, in place (gradient clipping by value); a NaN stays NaN. The default goes
     * through host memory (it runs once per training step at most); the CUDA backend has a kernel for it, so that
     * clipping does not copy every gradient to the host and back.
     */
    default void clamp(Tensor t, double lo, double hi) {
        if (t.dtype() == DType.FLOAT32) {
            float[] v = new float[t.size()];
            copyToHost(t, v);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) Math.min(Math.max(v[i], lo), hi);
            }
            copyFromHost(v, t);
        } else {
            double[] v = new double[t.size()];
            copyToHost(t, v);
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.min(Math.max(v[i], lo), hi);
            }
            copyFromHost(v, t);
        }
    }

    // ---- dense algebra --------------------------------------------------------------------------------

    /** C = alpha · op(A) · op(B) + beta · C for rank-2 tensors. */
    void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c);

    /** y[n, j] += bias[j] for a tensor of shape [N, F] or [N, C, spatial...] (bias per axis-1 index). */
    void addBias(Tensor y, Tensor bias);

    /** dBias[j] = Σ over every axis but 1 of dy. */
    void biasGradient(Tensor dy, Tensor dBias);

    // ---- convolution and pooling (NCHW; a 1-D convolution is H = 1) ------------------------------------

    /** y[N, O, outH, outW] = conv(x[N, C, H, W], w[O, C, kH, kW]) + bias[O] (bias may be null). */
    void conv2dForward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor y);

    /** Gradients of a convolution: dx (may be null when not needed), dw and dBias (may be null) are overwritten. */
    void conv2dBackward(Tensor x, Tensor w, Tensor dy, ConvGeometry g, Tensor dx, Tensor dw, Tensor dBias);

    /** Max pooling with window kernelH×kernelW and the geometry's strides (no padding). */
    void maxPoolForward(Tensor x, ConvGeometry g, Tensor y);

    /** dx = routing of dy to the first maximal input of each window (recomputed from x). */
    void maxPoolBackward(Tensor x, Tensor dy, ConvGeometry g, Tensor dx);

    // ---- activations ----------------------------------------------------------------------------------

    void activationForward(Activation f, Tensor z, Tensor y);

    /** dz = dy ⊙ f'(z), with y = f(z) given. */
    void activationBackward(Activation f, Tensor z, Tensor y, Tensor dy, Tensor dz);

    /** Row-wise softmax of a rank-2 tensor. */
    void softmaxRows(Tensor x, Tensor y);

    /** dx = y ⊙ (dy − Σ_row dy ⊙ y), the softmax Jacobian-vector product. */
    default void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        FusedDefaults.softmaxRowsBackward(this, y, dy, dx);
    }

    // ---- batch normalisation over axis 1 of [N, C, spatial...] -----------------------------------------

    /**
     * Training-mode forward: per channel batch mean and biased variance; writes xHat, y = gamma·xHat + beta,
     * mean and invStd = 1/sqrt(var + eps), and updates the running statistics
     * running = (1 − momentum)·running + momentum·batch (running variance uses the unbiased estimate).
     */
    default void batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta, double eps, double momentum,
                               Tensor runningMean, Tensor runningVar,
                               Tensor xHat, Tensor mean, Tensor invStd, Tensor y) {
        FusedDefaults.batchNormTrainForward(this, x, gamma, beta, eps, momentum, runningMean, runningVar, xHat, mean,
                invStd, y);
    }

    /** Inference forward with the running statistics. */
    default void batchNormInferForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                               double eps, Tensor y) {
        FusedDefaults.batchNormInferForward(this, x, gamma, beta, runningMean, runningVar, eps, y);
    }

    /** Training-mode backward through the batch statistics. */
    default void batchNormBackward(Tensor dy, Tensor xHat, Tensor gamma, Tensor invStd,
                           Tensor dx, Tensor dGamma, Tensor dBeta) {
        FusedDefaults.batchNormBackward(this, dy, xHat, gamma, invStd, dx, dGamma, dBeta);
    }

    // ---- randomness -----------------------------------------------------------------------------------

    /**
     * out[i] = {@link CounterRng#uniform}(seed, stride·i + offset), rounded to the tensor's precision: the core of
     * every random draw, reproducible element by element on any backend.
     */
    void counterUniform(long seed, long stride, long offset, Tensor out);

    /**
     * Inverted-dropout mask: element i is 0 with probability p, else 1/(1−p). The decision is a pure function
     * of (seed, i) — {@link CounterRng} — so every backend draws the same mask.
     */
    default void dropoutMask(long seed, double p, Tensor mask) {
        FusedDefaults.dropoutMask(this, seed, p, mask);
    }

    // ---- losses ---------------------------------------------------------------------------------------

    /**
     * Softmax cross-entropy of logits [N, K] against target distributions [N, K] (one-hot or soft), mean over
     * N. Writes the softmax into probs and returns the loss.
     */
    default double softmaxCrossEntropy(Tensor logits, Tensor targets, Tensor probs) {
        return FusedDefaults.softmaxCrossEntropy(this, logits, targets, probs);
    }

    // ---- optimizer updates ----------------------------------------------------------------------------

    /** Heavy-ball SGD: buf = momentum·buf + grad (+ weightDecay·param); param −= lr·buf. */
    default void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double weightDecay) {
        proximalSgdUpdate(param, grad, null, buf, lr, momentum, weightDecay, 0);
    }

    /** Adam with bias correction at the given 1-based step. */
    default void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                    double eps, long step) {
        FusedDefaults.adamUpdate(this, param, grad, m, v, lr, beta1, beta2, eps, step);
    }

    /**
     * One LRSGD inner step (ALGORITHMS.md §4), SGD with a proximal pull toward an anchor:
     * d = grad + weightDecay·param + proximal·(param − anchor); buf = momentum·buf + d; param −= lr·buf.
     * With proximal = 0 it is {@link #sgdUpdate} exactly (the same operations in the same order).
     */
    default void proximalSgdUpdate(Tensor param, Tensor grad, Tensor anchor, Tensor buf, double lr, double momentum,
                           double weightDecay, double proximal) {
        FusedDefaults.proximalSgdUpdate(this, param, grad, anchor, buf, lr, momentum, weightDecay, proximal);
    }

    /**
     * One YamAdam update (ALGORITHMS.md §5) of one tensor with its scalar beta; every right-hand side uses the old
     * values: m' = β·m + (1−β)·g; v' = β·v + (1−β)·(g − m)²; s' = β·s + (1−β)·h²; h' = m'·√((s' + eps)/(v' + eps));
     * param −= h'. Returns the L1 norms {Σ|h|, Σ|h'|} (old, new) from which the caller computes the next β.
     */
    default double[] yamAdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor s, Tensor h, double beta, double eps) {
        return FusedDefaults.yamAdamUpdate(this, param, grad, m, v, s, h, beta, eps);
    }

    /**
     * A salp-swarm leader move (ALGORITHMS.md §2.2): per coordinate j, with c2 = U(seed, 2j) and c3 = U(seed, 2j+1)
     * from {@link CounterRng}, salp[j] = food[j] ± c1·((ub − lb)·c2 + lb), + when c3 &lt; 0.5, − otherwise.
     */
    default void salpLeaderMove(Tensor food, Tensor salp, long seed, double c1, double lb, double ub) {
        FusedDefaults.salpLeaderMove(this, food, salp, seed, c1, lb, ub);
    }

    /** t += c for every element. */
    default void addScalar(Tensor t, double c) {
        FusedDefaults.addScalar(this, t, c);
    }

    /**
     * Locally adaptive activation (ALGORITHMS.md §3): y = f(k·z) with k = scale·slope, where slope has one
     * element (layer-wise) or one per element of an example (neuron-wise, broadcast over axis 0). k is rounded
     * to the tensors' precision, so a slope initialised to 1/scale (k = 1) gives exactly f(z).
     */
    default void adaptiveActivationForward(Activation f, Tensor z, Tensor slope, double scale, Tensor y) {
        FusedDefaults.adaptiveActivationForward(this, f, z, slope, scale, y);
    }

    /**
     * Backward of {@link #adaptiveActivationForward}, given its y: with d = dy ⊙ f'(k·z), dz = k·d (overwritten)
     * and dSlope = scale · Σ over the batch (and, layer-wise, over every element) of d ⊙ z (overwritten).
     */
    default void adaptiveActivationBackward(Activation f, Tensor z, Tensor slope, double scale, Tensor y, Tensor dy,
                                    Tensor dz, Tensor dSlope) {
        FusedDefaults.adaptiveActivationBackward(this, f, z, slope, scale, y, dy, dz, dSlope);
    }

    // ---- recurrent cells (ConvLSTM, ALGORITHMS.md §2.1) -------------------------------------------------

    /**
     * Copies channels [srcFirst, srcFirst + count) of src [N, Cs, spatial...] into channels [dstFirst, dstFirst +
     * count) of dst [N, Cd, spatial...] (same N and spatial size); the other channels of dst are left as they are.
     */
    void copyChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count);

    /** Like {@link #copyChannels}, but adds into dst (accumulate). */
    void addChannels(Tensor src, int srcFirst, Tensor dst, int dstFirst, int count);

    /**
     * The weights of the transposed convolution: out[c, o, i, j] = w[o, c, kH−1−i, kW−1−j] for w [O, C, kH, kW] and
     * out [C, O, kH, kW]. With stride 1 and symmetric padding (odd kernels, same), conv(dy, out) is the input
     * gradient of conv(x, w).
     */
    default void flipConvWeights(Tensor w, Tensor out) {
        FusedDefaults.flipConvWeights(this, w, out);
    }

    /**
     * The element-wise part of one peephole LSTM step (ALGORITHMS.md §2.1), for C hidden channels. z [N, 4C, S...]
     * holds the gate pre-activations without peepholes (convolutions + biases) in the order i, f, g (candidate),
     * o; cPrev, c, tanhC, h are [N, C, S...]; peephole is [3, C] (w_ci, w_cf, w_co), broadcast over N and space:
     * <pre>
     * i = σ(z_i + w_ci ⊙ cPrev)   f = σ(z_f + w_cf ⊙ cPrev)   g = tanh(z_g)
     * c = f ⊙ cPrev + i ⊙ g      o = σ(z_o + w_co ⊙ c)       h = o ⊙ tanh(c)
     * </pre>
     * Writes the activated gates (i, f, g, o) into gates [N, 4C, S...], and c, tanhC = tanh(c) and h.
     */
    default void lstmGatesForward(Tensor z, Tensor cPrev, Tensor peephole, Tensor gates, Tensor c, Tensor tanhC, Tensor h) {
        FusedDefaults.lstmGatesForward(this, z, cPrev, peephole, gates, c, tanhC, h);
    }

    /**
     * Backward of {@link #lstmGatesForward}: given dh (∂L/∂h) and dc (∂L/∂c from later steps, not through h), writes
     * dz [N, 4C, S...] and dcPrev (∂L/∂cPrev; may be the same tensor as dc) and accumulates dPeephole [3, C].
     */
    default void lstmGatesBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor tanhC, Tensor peephole, Tensor dh, Tensor dc,
                           Tensor dz, Tensor dcPrev, Tensor dPeephole) {
        FusedDefaults.lstmGatesBackward(this, gates, cPrev, c, tanhC, peephole, dh, dc, dz, dcPrev, dPeephole);
    }

    /** Releases cached native resources; tensors stay valid. */
    default void close() {
    }
}
