package dev.tandem.learning.optim;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.tensor.Tensor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numerical guard around one training step of any optimizer: a step either applies an update whose
 * parameters and optimizer state are all finite, or leaves the model exactly as it was.
 * <ol>
 *   <li>Before the step it copies the parameters, the model's buffers (batch-norm running statistics, which a
 *       training forward pass moves even when its loss is NaN), every optimizer slot, the scalars and the step
 *       counter into scratch tensors of the optimizer state (reused, never saved).</li>
 *   <li>Every gradient evaluation the optimizer asks for is checked: a non-finite loss or gradient is a fault (the
 *       optimizers then apply nothing, {@link Optimizer#step}); finite gradients are clipped ({@link GradientClipping})
 *       before the optimizer reads them.</li>
 *   <li>After the step, the parameters and the optimizer's slots must be finite (an overflow in the update is a
 *       fault too).</li>
 *   <li>On any fault the copy is put back, so parameters, buffers and optimizer state are bit for bit those before
 *       the step, and the outcome says what was not finite.</li>
 * </ol>
 * The cost is one copy of the model and optimizer state per step (memory traffic, no arithmetic) and one finiteness
 * pass over them. {@code maxConsecutiveFaults} is for the callers: after that many faults in a row (no good step
 * between them) they report the model as faulty ({@link FaultCounter}).
 */
public record TrainingGuard(GradientClipping clipping, int maxConsecutiveFaults) implements Serializable {
    public static final String MAX_FAULTS_KEY = "training.max-consecutive-faults";
    public static final int DEFAULT_MAX_CONSECUTIVE_FAULTS = 5;
    /** Clipping off, a report after 5 consecutive faults. */
    public static final TrainingGuard DEFAULT = new TrainingGuard(GradientClipping.OFF, DEFAULT_MAX_CONSECUTIVE_FAULTS);

    private static final String PARAMS = "guard.params";
    private static final String BUFFERS = "guard.buffers";
    private static final String SLOT = "guard.slot.";

    public TrainingGuard {
        if (clipping == null) {
            clipping = GradientClipping.OFF;
        }
        if (maxConsecutiveFaults < 1 || maxConsecutiveFaults > 1_000_000) {
            throw new IllegalArgumentException(MAX_FAULTS_KEY + " = " + maxConsecutiveFaults
                    + " is out of range; allowed: 1..1000000");
        }
    }

    /** What was not finite in a refused step. */
    public enum Fault {
        INPUT("input"), LOSS("loss"), GRADIENT("gradient"), PARAMETERS("parameters after the update"),
        OPTIMIZER_STATE("optimizer state after the update");

        private final String what;

        Fault(String what) {
            this.what = what;
        }

        /** What was not finite, as a dead letter names it. */
        public String what() {
            return what;
        }
    }

    /**
     * The result of a guarded step: the loss at the parameters the step started from (as {@link Optimizer#step}
     * returns it), the fault that made the guard refuse it (null when the update was applied), and the largest
     * global gradient norm seen before clipping (NaN when clipping is off, or no gradient was finite).
     */
    public record Outcome(double loss, Fault fault, double gradientNorm) {
        public boolean skipped() {
            return fault != null;
        }
    }

    /**
     * One guarded step of {@code optimizer} on {@code objective}.
     *
     * @param buffers the model's non-trainable tensors that a training forward pass changes (restored on a fault)
     */
    public Outcome step(Optimizer optimizer, Objective objective, List<Param> params, List<Tensor> buffers,
                        OptimizerState state) {
        Backup backup = Backup.take(params, buffers, state);
        Checked checked = new Checked(objective, params, clipping);
        double loss = optimizer.step(checked, params, state);
        Fault fault = checked.fault;
        if (fault == null && !allFinite(params)) {
            fault = Fault.PARAMETERS;
        }
        if (fault == null && !slotsFinite(state)) {
            fault = Fault.OPTIMIZER_STATE;
        }
        if (fault != null) {
            backup.restore(params, buffers, state);
        }
        return new Outcome(loss, fault, checked.maxNorm);
    }

    private static boolean allFinite(List<Param> params) {
        for (Param p : params) {
            if (!p.value().backend().allFinite(p.value())) {
                return false;
            }
        }
        return true;
    }

    private static boolean slotsFinite(OptimizerState state) {
        for (List<Tensor> slot : state.slots().values()) {
            for (Tensor t : slot) {
                if (!t.backend().allFinite(t)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The objective as the optimizer sees it: each gradient checked, then clipped; no further batch after a fault. */
    private static final class Checked implements Objective {
        private final Objective inner;
        private final List<Param> params;
        private final GradientClipping clipping;
        Fault fault;
        double maxNorm = Double.NaN;

        Checked(Objective inner, List<Param> params, GradientClipping clipping) {
            this.inner = inner;
            this.params = params;
            this.clipping = clipping;
        }

        @Override
        public double lossAndGradients() {
            double l = inner.lossAndGradients();
            if (fault != null) {
                return l;
            }
            if (!Double.isFinite(l)) {
                fault = Fault.LOSS;
            } else if (!Optimizer.gradientsFinite(params)) {
                fault = Fault.GRADIENT;
            } else {
                double norm = clipping.enabled() ? clipping.apply(params) : Double.NaN;
                if (!Double.isFinite(norm) && clipping.enabled()) {
                    fault = Fault.GRADIENT; // finite elements whose squares overflow
                    poison();
                } else if (!(norm <= maxNorm)) {
                    maxNorm = norm;
                }
            }
            return l;
        }

        /** Makes the optimizers refuse this evaluation as they refuse any non-finite gradient. */
        private void poison() {
            Param p = params.get(0);
            p.grad().backend().fill(p.grad(), Double.NaN);
        }

        @Override
        public double loss() {
            return inner.loss();
        }

        @Override
        public boolean gradientsKnownFinite() {
            return fault == null; // each evaluation is checked above, and evaluations stop at the first fault
        }

        @Override
        public boolean nextBatch() {
            return fault == null && inner.nextBatch();
        }
    }

    /** The copy a step restores on a fault; its tensors live in the optimizer state's scratch and are reused. */
    private record Backup(long step, Map<String, Double> scalars) {
        static Backup take(List<Param> params, List<Tensor> buffers, OptimizerState state) {
            List<Tensor> values = new ArrayList<>(params.size());
            for (Param p : params) {
                values.add(p.value());
            }
            copyInto(values, scratch(state, PARAMS, values));
            copyInto(buffers, scratch(state, BUFFERS, buffers));
            for (Map.Entry<String, List<Tensor>> e : state.slots().entrySet()) {
                copyInto(e.getValue(), scratch(state, SLOT + e.getKey(), e.getValue()));
            }
            return new Backup(state.step(), new LinkedHashMap<>(state.scalars()));
        }

        void restore(List<Param> params, List<Tensor> buffers, OptimizerState state) {
            List<Tensor> saved = state.scratch().get(PARAMS);
            for (int i = 0; i < params.size(); i++) {
                Tensor w = params.get(i).value();
                w.backend().copy(saved.get(i), w);
            }
            copyInto(state.scratch().get(BUFFERS), buffers);
            for (Map.Entry<String, List<Tensor>> e : state.slots().entrySet()) {
                copyInto(state.scratch().get(SLOT + e.getKey()), e.getValue());
            }
            state.scalars().clear();
            state.scalars().putAll(scalars);
            state.setStep(step);
        }

        private static void copyInto(List<Tensor> from, List<Tensor> to) {
            for (int i = 0; i < from.size(); i++) {
                from.get(i).backend().copy(from.get(i), to.get(i));
            }
        }

        /** Scratch tensors shaped like {@code like}, made once per state and kept while the shapes match. */
        private static List<Tensor> scratch(OptimizerState state, String name, List<Tensor> like) {
            List<Tensor> t = state.scratch().get(name);
            if (t != null && t.size() == like.size() && sameShapes(t, like)) {
                return t;
            }
            t = new ArrayList<>(like.size());
            for (Tensor x : like) {
                t.add(x.backend().zeros(x.dtype(), x.shape()));
            }
            state.scratch().put(name, t);
            return t;
        }

        private static boolean sameShapes(List<Tensor> a, List<Tensor> b) {
            for (int i = 0; i < a.size(); i++) {
                if (!java.util.Arrays.equals(a.get(i).shape(), b.get(i).shape()) || a.get(i).dtype() != b.get(i).dtype()) {
                    return false;
                }
            }
            return true;
        }
    }
}
