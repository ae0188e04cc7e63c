package dev.tandem.learning.al;

import dev.tandem.learning.loss.Loss;
import dev.tandem.learning.loss.MeanSquaredError;
import dev.tandem.learning.loss.SoftmaxCrossEntropy;
import dev.tandem.learning.nn.AdaptiveActivation;
import dev.tandem.learning.nn.Layer;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.FaultCounter;
import dev.tandem.learning.optim.Objective;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.nn.SlopeRecovery;
import dev.tandem.learning.train.SupervisedObjective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One AL component l (ALGORITHMS.md §1): its four networks f_l, b_l, g_l, h_l, an optimizer and its state for
 * each of the two local losses, and a step counter. Everything it needs to train is (s_{l-1}, t_{l-1}) of a
 * mini-batch; no gradient leaves it, so a pipeline stage can own one component and nothing else.
 * <pre>
 * association  L_as = MSE( b_l(f_l(s_{l-1})), sg(t_l) )      updates f_l, b_l
 * autoencoder  L_ae = MSE( h_l(g_l(t_{l-1})), sg(t_{l-1}) )  updates g_l, h_l   (l = 1: optionally cross-entropy)
 * </pre>
 * {@link #trainStep} is synchronous: s_l and t_l it returns, and the target t_l of the association loss, come from
 * the parameters the step started from. The autoencoder step runs first and its first evaluation yields t_l; the
 * association step's first evaluation yields s_l; so each network runs forward once per step with a one-gradient
 * optimizer (Adam). Training passes (dropout masks) derive from (component seed, step, part): the same inputs in
 * the same order give bit-identical parameters.
 *
 * <p>Not thread-safe: layers keep their activations between forward and backward.
 */
public final class AlComponent {
    private static final long PASS_SALT = 0x41_4C_43_4F_4D_50_53_31L;
    private final int index;
    private final long seed;
    private final Sequential[] nets = new Sequential[Part.values().length];
    private final DecoderLoss decoderLoss;
    private final List<Param> associationParams;
    private final List<Param> autoencoderParams;
    private Optimizer associationOptimizer;
    private Optimizer autoencoderOptimizer;
    private final OptimizerState associationState;
    private final OptimizerState autoencoderState;
    private long step;
    /** The numerical guard of both local losses' steps (configuration, not state). */
    private TrainingGuard guard = TrainingGuard.DEFAULT;
    /** Training steps refused for non-finite values (either local loss), in all and in a row (state). */
    private FaultCounter faults = new FaultCounter();
    private final MeanSquaredError associationLoss = new MeanSquaredError();
    private final Loss decoderLossFunction;
    private final Optional<SlopeRecovery> associationSlopes;
    private final Optional<SlopeRecovery> autoencoderSlopes;

    /**
     * Builds component {@code index} (0-based: l = index + 1) for inputs s_{l-1} of per-example shape
     * {@code stateShape} and t_{l-1} of width {@code labelInputWidth}, with fresh weights from seed.
     */
    public static AlComponent create(int index, ComponentSpec spec, Backend backend, DType dtype, int[] stateShape,
                                     int labelInputWidth, long seed, AlInit init, AlOptimizers optimizers) {
        Sequential[] nets = new Sequential[4];
        nets[0] = new Sequential(backend, dtype, stateShape, spec.encoder(), partSeed(seed, Part.ENCODER));
        nets[1] = new Sequential(backend, dtype, nets[0].outputShape(), spec.bridge(), partSeed(seed, Part.BRIDGE));
        nets[2] = new Sequential(backend, dtype, new int[] {labelInputWidth}, spec.labelEncoder(),
                partSeed(seed, Part.LABEL_ENCODER));
        nets[3] = new Sequential(backend, dtype, nets[2].outputShape(), spec.labelDecoder(),
                partSeed(seed, Part.LABEL_DECODER));
        for (Part p : Part.values()) {
            init.apply(nets[p.ordinal()], CounterRng.mix(partSeed(seed, p), 0x1417));
        }
        List<Param> fb = concat(nets[0], nets[1]);
        List<Param> gh = concat(nets[2], nets[3]);
        return new AlComponent(index, seed, nets, spec.decoderLoss(), optimizers,
                optimizers.association().init(fb), optimizers.autoencoder().init(gh), 0);
    }

    /** A component from restored parts (the model codec's). */
    AlComponent(int index, long seed, Sequential[] parts, DecoderLoss decoderLoss, AlOptimizers optimizers,
                OptimizerState associationState, OptimizerState autoencoderState, long step) {
        this.index = index;
        this.seed = seed;
        System.arraycopy(parts, 0, nets, 0, nets.length);
        this.decoderLoss = decoderLoss;
        this.associationParams = Collections.unmodifiableList(concat(nets[0], nets[1]));
        this.autoencoderParams = Collections.unmodifiableList(concat(nets[2], nets[3]));
        this.associationOptimizer = optimizers.association();
        this.autoencoderOptimizer = optimizers.autoencoder();
        this.associationState = requireState(associationState, associationOptimizer, associationParams, "association");
        this.autoencoderState = requireState(autoencoderState, autoencoderOptimizer, autoencoderParams, "autoencoder");
        this.step = step;
        this.decoderLossFunction = decoderLoss == DecoderLoss.SOFTMAX_CROSS_ENTROPY
                ? new SoftmaxCrossEntropy() : new MeanSquaredError();
        this.associationSlopes = slopes(nets[0], nets[1]);
        this.autoencoderSlopes = slopes(nets[2], nets[3]);
        validateShapes();
    }

    private static Optional<SlopeRecovery> slopes(Sequential a, Sequential b) {
        List<AdaptiveActivation> found = new ArrayList<>();
        for (Sequential s : new Sequential[] {a, b}) {
            for (Layer l : s.layers()) {
                if (l instanceof AdaptiveActivation x) {
                    found.add(x);
                }
            }
        }
        return found.isEmpty() ? Optional.empty()
                : Optional.of(new SlopeRecovery(found, SupervisedObjective.DEFAULT_SLOPE_RECOVERY_WEIGHT));
    }

    private static double withSlopes(double loss, Optional<SlopeRecovery> slopes, boolean gradient) {
        if (slopes.isEmpty()) {
            return loss;
        }
        return loss + (gradient ? slopes.get().addGradient() : slopes.get().weightedValue());
    }

    private void validateShapes() {
        int[] bridgeOut = bridge().outputShape();
        int[] labelOut = labelEncoder().outputShape();
        if (bridgeOut.length != 1 || !Arrays.equals(bridgeOut, labelOut)) {
            throw new IllegalArgumentException("component " + (index + 1) + ": the bridge must map s_l to the width of t_l "
                    + Arrays.toString(labelOut) + ", it gives " + Arrays.toString(bridgeOut));
        }
        int[] decoderOut = labelDecoder().outputShape();
        if (!Arrays.equals(decoderOut, labelEncoder().inputShape())) {
            throw new IllegalArgumentException("component " + (index + 1) + ": the label decoder must map t_l back to "
                    + Arrays.toString(labelEncoder().inputShape()) + ", it gives " + Arrays.toString(decoderOut));
        }
    }

    private static OptimizerState requireState(OptimizerState state, Optimizer optimizer, List<Param> params,
                                               String loss) {
        if (!state.optimizer().equals(optimizer.name())) {
            throw new IllegalArgumentException("the " + loss + " optimizer " + optimizer.name()
                    + " cannot take over a state of " + state.optimizer());
        }
        for (var e : state.slots().entrySet()) {
            if (e.getValue().size() != params.size()) {
                throw new IllegalArgumentException("the " + loss + " optimizer state's slot " + e.getKey() + " has "
                        + e.getValue().size() + " tensors for " + params.size() + " parameters");
            }
        }
        return state;
    }

    static long partSeed(long componentSeed, Part part) {
        return CounterRng.mix(componentSeed, part.ordinal());
    }

    private static List<Param> concat(Sequential a, Sequential b) {
        List<Param> out = new ArrayList<>(a.params());
        out.addAll(b.params());
        return out;
    }

    // ---- inference ------------------------------------------------------------------------------------------

    /** s_l = f_l(s_{l-1}) in inference mode, as a fresh tensor. */
    public Tensor forward(Tensor sPrev) {
        return copy(encoder().forward(sPrev, Pass.INFERENCE));
    }

    /** t_l = g_l(t_{l-1}) in inference mode, as a fresh tensor. */
    public Tensor labels(Tensor tPrev) {
        return copy(labelEncoder().forward(tPrev, Pass.INFERENCE));
    }

    /** b_l(s_l) in inference mode: the prediction of t_l from s_l. */
    public Tensor bridgeForward(Tensor s) {
        return copy(bridge().forward(s, Pass.INFERENCE));
    }

    /** h_l(t_l) in inference mode: t_l decoded to t_{l-1} (for l = 1 the model's output). */
    public Tensor decode(Tensor t) {
        return copy(labelDecoder().forward(t, Pass.INFERENCE));
    }

    // ---- training -------------------------------------------------------------------------------------------

    /**
     * One step of both local losses on a mini-batch (s_{l-1}, t_{l-1}); returns (s_l, t_l) and the losses. Each
     * loss's step runs under the {@link TrainingGuard}: one that is refused for a non-finite value leaves its networks
     * and optimizer state as they were, and the step counts as one skipped update in {@link #faults()}.
     */
    public StepResult trainStep(Tensor sPrev, Tensor tPrev) {
        Pass[] passes = passes();
        AutoencoderObjective ae = new AutoencoderObjective(tPrev, passes[2], passes[3]);
        TrainingGuard.Outcome aeStep = run(autoencoderOptimizer, ae, autoencoderParams, autoencoderState,
                Part.LABEL_ENCODER, Part.LABEL_DECODER);
        Tensor t = ae.labels;
        AssociationObjective as = new AssociationObjective(sPrev, t, passes[0], passes[1]);
        TrainingGuard.Outcome asStep = run(associationOptimizer, as, associationParams, associationState,
                Part.ENCODER, Part.BRIDGE);
        faults.record(aeStep.skipped() ? aeStep : asStep, guard.maxConsecutiveFaults());
        step++;
        return new StepResult(as.state, t, asStep.loss(), aeStep.loss());
    }

    /**
     * {@link #trainStep(Tensor, Tensor)} on n examples given as host arrays (row-major: s_{l-1} of per-example shape
     * {@link #stateInputShape()}, t_{l-1} of width {@link #labelInputWidth()}), for a stage that receives records.
     */
    public StepResult trainStep(float[] sPrev, float[] tPrev, int n) {
        Backend b = encoder().backend();
        DType d = encoder().dtype();
        return trainStep(HostBatch.tensor(b, d, sPrev, n, stateInputShape()),
                HostBatch.tensor(b, d, tPrev, n, new int[] {labelInputWidth()}));
    }

    private TrainingGuard.Outcome run(Optimizer optimizer, Objective objective, List<Param> params,
                                      OptimizerState state, Part first, Part second) {
        if (params.isEmpty()) {
            // identity networks: nothing to update, but the forward values (and the loss) are still wanted
            double l = objective.lossAndGradients();
            return new TrainingGuard.Outcome(l, Double.isFinite(l) ? null : TrainingGuard.Fault.LOSS, Double.NaN);
        }
        List<Tensor> buffers = new ArrayList<>(part(first).buffers());
        buffers.addAll(part(second).buffers());
        return guard.step(optimizer, objective, params, buffers, state);
    }

    /** The guard of the next steps (clipping, faults in a row before a report). */
    public void setGuard(TrainingGuard next) {
        this.guard = java.util.Objects.requireNonNull(next);
    }

    /** Skipped training steps, in all and in a row (checkpointed with the component, {@link ComponentState}). */
    public FaultCounter faults() {
        return faults;
    }

    void restoreFaults(FaultCounter saved) {
        this.faults = saved;
    }

    /** The training passes the next step will use, per {@link Part} (dropout masks depend on them). */
    public Pass[] passes() {
        long base = CounterRng.mix(seed ^ PASS_SALT, step);
        Pass[] out = new Pass[4];
        for (Part p : Part.values()) {
            out[p.ordinal()] = Pass.training(CounterRng.mix(base, p.ordinal()));
        }
        return out;
    }

    /**
     * The association loss MSE(b_l(f_l(sPrev)), target) as an objective whose gradients reach f_l and b_l only;
     * target is sg(t_l). Its first evaluation keeps s_l = f_l(sPrev).
     */
    public Objective associationObjective(Tensor sPrev, Tensor target, Pass encoderPass, Pass bridgePass) {
        return new AssociationObjective(sPrev, target, encoderPass, bridgePass);
    }

    /** The autoencoder loss of h_l(g_l(tPrev)) against sg(tPrev), gradients into g_l and h_l only. */
    public Objective autoencoderObjective(Tensor tPrev, Pass labelPass, Pass decoderPass) {
        return new AutoencoderObjective(tPrev, labelPass, decoderPass);
    }

    private final class AssociationObjective implements Objective {
        private final Tensor sPrev;
        private final Tensor target;
        private final Pass encoderPass;
        private final Pass bridgePass;
        Tensor state;

        AssociationObjective(Tensor sPrev, Tensor target, Pass encoderPass, Pass bridgePass) {
            this.sPrev = sPrev;
            this.target = target;
            this.encoderPass = encoderPass;
            this.bridgePass = bridgePass;
        }

        @Override
        public double lossAndGradients() {
            double l = dataLoss();
            Tensor ds = bridge().backward(associationLoss.backward());
            encoder().backwardParameters(ds);
            return withSlopes(l, associationSlopes, true);
        }

        @Override
        public double loss() {
            return withSlopes(dataLoss(), associationSlopes, false);
        }

        private double dataLoss() {
            Tensor s = encoder().forward(sPrev, encoderPass);
            if (state == null) {
                state = copy(s);
            }
            return associationLoss.forward(bridge().forward(s, bridgePass), target);
        }
    }

    private final class AutoencoderObjective implements Objective {
        private final Tensor tPrev;
        private final Pass labelPass;
        private final Pass decoderPass;
        Tensor labels;

        AutoencoderObjective(Tensor tPrev, Pass labelPass, Pass decoderPass) {
            this.tPrev = tPrev;
            this.labelPass = labelPass;
            this.decoderPass = decoderPass;
        }

        @Override
        public double lossAndGradients() {
            double l = dataLoss();
            Tensor dt = labelDecoder().backward(decoderLossFunction.backward());
            labelEncoder().backwardParameters(dt);
            return withSlopes(l, autoencoderSlopes, true);
        }

        @Override
        public double loss() {
            return withSlopes(dataLoss(), autoencoderSlopes, false);
        }

        private double dataLoss() {
            Tensor t = labelEncoder().forward(tPrev, labelPass);
            if (labels == null) {
                labels = copy(t);
            }
            return decoderLossFunction.forward(labelDecoder().forward(t, decoderPass), tPrev);
        }
    }

    private static Tensor copy(Tensor t) {
        Tensor out = t.backend().zeros(t.dtype(), t.shape());
        t.backend().copy(t, out);
        return out;
    }

    // ---- state ----------------------------------------------------------------------------------------------

    /** Replaces the optimizers by ones of the same kinds (new learning rates, say), keeping their states. */
    public void setOptimizers(AlOptimizers next) {
        requireState(associationState, next.association(), associationParams, "association");
        requireState(autoencoderState, next.autoencoder(), autoencoderParams, "autoencoder");
        this.associationOptimizer = next.association();
        this.autoencoderOptimizer = next.autoencoder();
    }

    public Sequential part(Part part) {
        return nets[part.ordinal()];
    }

    public Sequential encoder() {
        return nets[0];
    }

    public Sequential bridge() {
        return nets[1];
    }

    public Sequential labelEncoder() {
        return nets[2];
    }

    public Sequential labelDecoder() {
        return nets[3];
    }

    /** 0-based position in the model (l = index + 1). */
    public int index() {
        return index;
    }

    public long seed() {
        return seed;
    }

    /** Training steps taken; also the version of its snapshots. */
    public long step() {
        return step;
    }

    public DecoderLoss decoderLoss() {
        return decoderLoss;
    }

    /** Parameters of f_l then b_l: what the association loss updates. */
    public List<Param> associationParams() {
        return associationParams;
    }

    /** Parameters of g_l then h_l: what the autoencoder loss updates. */
    public List<Param> autoencoderParams() {
        return autoencoderParams;
    }

    public AlOptimizers optimizers() {
        return new AlOptimizers(associationOptimizer, autoencoderOptimizer);
    }

    public OptimizerState associationState() {
        return associationState;
    }

    public OptimizerState autoencoderState() {
        return autoencoderState;
    }

    public long parameterCount() {
        long n = 0;
        for (Sequential s : nets) {
            n += s.parameterCount();
        }
        return n;
    }

    /** Per-example shape of s_{l-1}. */
    public int[] stateInputShape() {
        return encoder().inputShape();
    }

    /** Per-example shape of s_l. */
    public int[] stateOutputShape() {
        return encoder().outputShape();
    }

    /** Width of t_l. */
    public int labelWidth() {
        return labelEncoder().outputShape()[0];
    }

    /** Width of t_{l-1}. */
    public int labelInputWidth() {
        return labelEncoder().inputShape()[0];
    }
}
