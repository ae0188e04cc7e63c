package dev.tandem.operators.al;

import dev.tandem.learning.al.AlComponent;
import dev.tandem.learning.al.AlModel;
import dev.tandem.learning.al.AlOptimizers;
import dev.tandem.learning.al.ComponentState;
import dev.tandem.learning.al.PartSnapshot;
import dev.tandem.learning.al.StepResult;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.learning.tensor.Tensor;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import dev.tandem.operators.common.DeadLetter;

/**
 * The AL stage of component l (ALGORITHMS.md §1), keyed by the model's key: its keyed state is that key's
 * component (parameters, both optimizer states, the step; {@link AlStageStateSerializer}). It receives
 * {@code (key, s_{l-1}, t_{l-1})} and sends {@code (key, s_l, t_l)}:
 * <ul>
 *   <li>TRAIN: one step of both local losses ({@link AlComponent#trainStep}); (s_l, t_l) come from the parameters
 *       the step started from, exactly as in the synchronous trainer, so a stage fed the same inputs in the same
 *       order ends with bit-identical parameters. The last stage sends nothing on (no one reads s_L, t_L). Every
 *       {@code snapshotEvery} updates it publishes its decoder h_l on {@link #DECODERS};</li>
 *   <li>PREDICT: s_l = f_l(s_{l-1}) only, in inference mode, recording the encoder's step; the last stage sends
 *       b_L(s_L), the input of the decoders;</li>
 *   <li>EXPORT: the component's state on {@link #EXPORTS}, and the signal on.</li>
 * </ul>
 * A key's component is built from the architecture and seed when its first signal arrives
 * ({@link AlModel#createComponent}, the weights the single-process model has).
 *
 * <p>A training step refused by the component's numerical guard leaves the component as it was and counts in its
 * state; after {@code training.max-consecutive-faults} in a row (and every further multiple) a dead letter with reason
 * {@code numerical: ...} goes to {@link #FAULTS}, which the job routes to the dead letters; the job goes on.
 *
 * <p>Metrics: {@code trainSteps}, {@code skippedUpdates}, {@code predictions} (counters), {@code busyNanos} (time
 * spent processing signals), {@code step} (of the key seen last).
 */
public final class AlStageFunction extends KeyedProcessFunction<String, AlSignal, AlSignal> {
    public static final OutputTag<DecoderSnapshot> DECODERS = new OutputTag<>("al-decoders") {
    };
    /** The fault event of a key's component after {@code training.max-consecutive-faults} refused steps in a row. */
    public static final OutputTag<DeadLetter> FAULTS = new OutputTag<>("al-faults") {
    };
    public static final OutputTag<AlExport> EXPORTS = new OutputTag<>("al-exports") {
    };
    private final AlStageSettings settings;
    private final int index;
    private transient ValueState<AlStageState> state;
    private transient Backend backend;
    private transient AlOptimizers optimizers;
    private transient Counter trainSteps;
    private transient Counter skippedUpdates;
    private transient Counter predictions;
    private transient Counter busy;
    private transient volatile long lastStep;

    public AlStageFunction(AlStageSettings settings, int index) {
        if (index < 0 || index >= settings.depth()) {
            throw new IllegalArgumentException("stage " + index + " outside 0.." + (settings.depth() - 1));
        }
        this.settings = settings;
        this.index = index;
    }

    public static ValueStateDescriptor<AlStageState> descriptor() {
        return new ValueStateDescriptor<>("al-component", new AlStageStateSerializer());
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(descriptor());
        backend = Backends.choose(settings.backend()).backend();
        optimizers = settings.optimizers().build();
        var g = getRuntimeContext().getMetricGroup();
        trainSteps = g.counter("trainSteps");
        skippedUpdates = g.counter("skippedUpdates");
        predictions = g.counter("predictions");
        busy = g.counter("busyNanos");
        g.gauge("step", () -> lastStep);
    }

    @Override
    public void processElement(AlSignal a, Context ctx, Collector<AlSignal> out) throws Exception {
        long start = System.nanoTime();
        long cpu = settings.profile() != null ? StageTimeline.threadCpuNanos() : 0;
        AlStageState st = state.value();
        if (st == null) {
            st = new AlStageState(AlModel.createComponent(settings.architecture(a.inputShape), index, backend,
                    settings.dtype(), settings.seed(), optimizers));
        }
        AlComponent c = st.component(backend, optimizers);
        c.setGuard(settings.guard());
        boolean last = index == settings.depth() - 1;
        switch (a.kind) {
            case AlSignal.TRAIN -> {
                long skipped = c.faults().skipped();
                StepResult r = c.trainStep(in(c, a.s, a.n), labels(c, a.t, a.n));
                trainSteps.inc();
                skippedUpdates.inc(c.faults().skipped() - skipped);
                if (c.faults().takeReport()) {
                    ctx.output(FAULTS, DeadLetter.numerical("AL component " + (index + 1) + " of '" + a.key + "'",
                            c.faults(), "AL train signal of " + a.n + " examples for '" + a.key + "'",
                            ctx.timerService().currentProcessingTime()));
                }
                if (!last) {
                    out.collect(a.next(r.s().toFloatArray(), r.t().toFloatArray()));
                }
                int every = settings.snapshotEvery();
                if (every > 0 && c.step() - Math.max(0, st.publishedVersion) >= every) {
                    ctx.output(DECODERS, new DecoderSnapshot(a.key, index, c.step(), PartSnapshot.decoder(c).model()));
                    st.publishedVersion = c.step();
                }
            }
            case AlSignal.PREDICT -> {
                Tensor s = c.forward(in(c, a.s, a.n));
                AlSignal next = a.next((last ? c.bridgeForward(s) : s).toFloatArray(), null);
                next.versions[index] = c.step();
                predictions.inc();
                out.collect(next);
            }
            case AlSignal.EXPORT -> {
                ctx.output(EXPORTS, new AlExport(a.key, index, c.step(), ComponentState.toBytes(c)));
                out.collect(a);
            }
            default -> throw new IllegalArgumentException("unknown AL signal kind " + a.kind);
        }
        st.signals++;
        state.update(st);
        lastStep = c.step();
        long end = System.nanoTime();
        busy.inc(end - start);
        if (settings.profile() != null) {
            StageTimeline.record(settings.profile(), index, a.kind, start, end, StageTimeline.threadCpuNanos() - cpu);
        }
    }

    private Tensor in(AlComponent c, float[] s, int n) {
        return HostTensors.tensor(backend, settings.dtype(), s, n, c.stateInputShape());
    }

    private Tensor labels(AlComponent c, float[] t, int n) {
        if (t == null) {
            throw new IllegalArgumentException("a TRAIN signal without t_" + index);
        }
        return HostTensors.tensor(backend, settings.dtype(), t, n, new int[] {c.labelInputWidth()});
    }

    public int index() {
        return index;
    }
}
