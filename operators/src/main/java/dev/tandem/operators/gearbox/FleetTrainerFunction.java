package dev.tandem.operators.gearbox;

import dev.tandem.learning.tensor.Backends;
import dev.tandem.models.gearbox.DecisionPolicy;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetPrediction;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.ModelFactory;
import dev.tandem.learning.io.ModelSeed;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.DeadLetterCounters;
import dev.tandem.operators.common.TandemMetrics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The fleet trainer, keyed by fleet: moves each fleet's {@link FleetState} between Flink's keyed state
 * ({@link FleetStateSerializer}, no Kryo) and the Flink-free {@link FleetLearner}, which predicts every window first
 * and then learns from the labelled ones in mini-batches; the prediction goes out as a {@link Prediction} carrying
 * the model version that made it. A window whose shape does not fit the fleet's model goes to {@link #MISFITS} as a
 * dead letter.
 *
 * <p>Updates refused for non-finite values (the learner's numerical guard) are counted in the fleet's state and in
 * the counter {@code skippedUpdates}; after {@code training.max-consecutive-faults} of them in a row (and every
 * further multiple) a dead letter with reason {@code numerical: ...} goes to {@link #MISFITS}, and the job goes on.
 *
 * <p>Metrics: {@code windows}, {@code labelledWindows}, {@code trainingSteps}, {@code skippedUpdates} (counters), {@code modelVersion},
 * {@code prequentialAccuracy}, {@code loss}, {@code baseFrozen}, {@code decisionVersion} (gauges of the fleet seen
 * last), and the cluster operator's set in the {@code tandem} sub-group ({@link TandemMetrics}: steps and steps/s,
 * loss, model version, prequential accuracy, dead letters by reason). With a {@link DecisionPolicy} the fleet's
 * state also holds its decision stage (see {@link FleetLearner}). With an initial model ({@code gearbox.initial-model},
 * a {@link ModelSeed}) a fleet without state starts from that file's weights.
 */
public final class FleetTrainerFunction extends KeyedProcessFunction<String, VibrationWindow, Prediction> {
    public static final OutputTag<DeadLetter> MISFITS = new OutputTag<>("trainer-misfits") {
    };
    public static final String STATE_NAME = "fleet-model";
    private final FleetSettings settings;
    private final ModelFactory factory;
    private final DecisionPolicy policy;
    private final ModelSeed initialModel;
    private transient ValueState<FleetState> state;
    private transient dev.tandem.operators.common.StateSizeGauges<FleetState> stateSize;
    private transient FleetLearner learner;
    private transient Counter windows;
    private transient Counter labelled;
    private transient Counter steps;
    private transient TandemMetrics tandem;
    private transient DeadLetterCounters deadLetters;
    private transient Counter skippedUpdates;
    private transient volatile FleetState last;
    private java.time.Duration idleTtl = java.time.Duration.ZERO;

    public FleetTrainerFunction(FleetSettings settings, ModelFactory factory) {
        this(settings, DecisionPolicy.NONE, factory);
    }

    /** With a decision stage and its freeze policy ({@link DecisionPolicy}). */
    public FleetTrainerFunction(FleetSettings settings, DecisionPolicy policy, ModelFactory factory) {
        this(settings, policy, factory, null);
    }

    /** With the model file new fleets start from (null: the factory's initial weights). */
    public FleetTrainerFunction(FleetSettings settings, DecisionPolicy policy, ModelFactory factory,
                                ModelSeed initialModel) {
        this.settings = settings;
        this.policy = policy;
        this.factory = factory;
        this.initialModel = initialModel;
    }

    /**
     * An idle fleet's model expires after ttl of processing time without a window (zero, the default, keeps it;
     * {@code state.idle-ttl-minutes}).
     */
    public FleetTrainerFunction withIdleTtl(java.time.Duration ttl) {
        this.idleTtl = ttl;
        return this;
    }

    public static ValueStateDescriptor<FleetState> descriptor(String backend) {
        return new ValueStateDescriptor<>(STATE_NAME, new FleetStateSerializer(backend));
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(dev.tandem.operators.common.IdleStateTtl.apply(descriptor(settings.backend()), idleTtl));
        learner = new FleetLearner(settings, policy, Backends.choose(settings.backend()).backend(), factory)
                .withInitialModel(initialModel);
        var g = getRuntimeContext().getMetricGroup();
        windows = g.counter("windows");
        labelled = g.counter("labelledWindows");
        steps = g.counter("trainingSteps");
        skippedUpdates = g.counter("skippedUpdates");
        g.gauge("modelVersion", () -> last == null ? 0L : last.version);
        g.gauge("prequentialAccuracy", () -> last == null ? Double.NaN : last.prequentialAccuracy());
        g.gauge("loss", () -> last == null ? Double.NaN : last.lastLoss);
        g.gauge("baseFrozen", () -> last != null && last.frozen ? 1 : 0);
        g.gauge("decisionVersion", () -> last == null || last.decision == null ? 0L : last.decision.version());
        tandem = TandemMetrics.trainer(g, () -> last == null ? Double.NaN : last.lastLoss,
                () -> last == null ? 0L : last.version, "prequentialAccuracy",
                () -> last == null ? Double.NaN : last.prequentialAccuracy());
        deadLetters = new DeadLetterCounters(g);
        stateSize = new dev.tandem.operators.common.StateSizeGauges<>(g, "fleet", descriptor(settings.backend()).getSerializer(), 10_000);
    }

    @Override
    public void processElement(VibrationWindow w, Context ctx, Collector<Prediction> out) throws Exception {
        FleetState m = state.value();
        String misfit = null;
        if (m == null) {
            try {
                m = create(learner, w);
            } catch (IllegalArgumentException e) { // a window the network cannot take (too short, say)
                misfit = "cannot build fleet '" + w.fleet + "' model for a " + w.channelCount() + "x" + w.length()
                        + " window: " + e.getMessage();
            }
        }
        if (misfit == null) {
            misfit = learner.mismatch(m, w.fleet, w.channelCount(), w.length());
        }
        if (misfit != null) {
            deadLetters.count(misfit);
            // the window's own topic, partition and offset, so the dead letter points at the record to replay
            ctx.output(MISFITS, new DeadLetter(w.sourceTopic == null ? "trainer" : w.sourceTopic, w.sourcePartition,
                    w.sourceOffset, misfit, w.toString(),
                    ctx.timerService().currentProcessingTime()));
            return;
        }
        long before = m.version;
        long skippedBefore = m.faults.skipped();
        Prediction p = observe(learner, m, w);
        skippedUpdates.inc(m.faults.skipped() - skippedBefore);
        if (m.faults.takeReport()) {
            DeadLetter fault = DeadLetter.numerical("fleet '" + w.fleet + "'", m.faults, w.toString(),
                    ctx.timerService().currentProcessingTime());
            deadLetters.count(fault.reason);
            ctx.output(MISFITS, fault);
        }
        windows.inc();
        if (w.label != null) {
            labelled.inc();
        }
        steps.inc(m.version - before);
        tandem.steps(m.version - before);
        state.update(m);
        last = m;
        stateSize.observe(w.fleet, m);
        out.collect(p);
    }

    /** A new fleet state for a fleet whose first window is w. */
    public static FleetState create(FleetLearner learner, VibrationWindow w) {
        return learner.create(w.channelCount(), w.length());
    }

    /** The learner's prequential step on one window, as the output record ({@link FleetLearner#observe}). */
    public static Prediction observe(FleetLearner learner, FleetState m, VibrationWindow w) {
        return prediction(w, m, learner.observe(m, w.samples(), w.label, w.rpmOrNaN()));
    }

    /** The output record of a window: its identity and label, what the learner predicted and with which model. */
    static Prediction prediction(VibrationWindow w, FleetState m, FleetPrediction f) {
        Prediction out = new Prediction();
        out.time = w.time;
        out.machine = w.machine;
        out.fleet = w.fleet;
        out.classes = m.classes.clone();
        out.probabilities = f.probabilities();
        out.decision = f.decision();
        out.confidence = f.confidence();
        out.label = w.label;
        out.modelVersion = f.modelVersion();
        out.modelHash = f.modelHash();
        out.stage = f.stage();
        out.decisionVersion = f.decisionVersion();
        out.baseFrozen = f.baseFrozen();
        return out;
    }
}
