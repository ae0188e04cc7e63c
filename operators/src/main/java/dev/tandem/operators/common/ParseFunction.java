package dev.tandem.operators.common;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The first operator after a source: decodes each raw record inside {@link RecordLimits}, checks it against the
 * domain's rules, bounds its time by the wall clock ({@code records.max-clock-ahead-ms}) and by the stream's
 * watermark ({@link EventTimeGate}, {@code job.max-ahead-ms}), and only then lets it on, to the watermark generator
 * that gives the stream its event time. A record refused at any step goes to {@link #DEAD_LETTERS} with the reason
 * (counted in {@code deadLetters}, and by reason in {@code tandem.deadLetters.<kind>}, {@link DeadLetterCounters});
 * nothing a record holds can throw out of here, so bad input never stops the job
 * and never moves event time.
 *
 * <p>The gate's newest accepted time is operator state (union list state: after a rescale every subtask starts from
 * the newest time of all of them, the stricter choice).
 */
public abstract class ParseFunction<T> extends ProcessFunction<RawRecord, T> implements CheckpointedFunction {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {
    };
    protected final RecordLimits limits;
    private final EventTimeGate gate;
    private final int rawMaxBytes;
    private final String validMetric;
    private transient Counter deadLetters;
    private transient DeadLetterCounters byReason;
    private transient Counter valid;
    private transient ListState<Long> gateState;

    /** {@code gate} may be null: no bound against the watermark (e.g. when the stream has no event time). */
    protected ParseFunction(RecordLimits limits, EventTimeGate gate, int rawMaxBytes, String validMetric) {
        this.limits = limits;
        this.gate = gate;
        this.rawMaxBytes = rawMaxBytes;
        this.validMetric = validMetric;
    }

    /** The record of a value that passed {@link RecordLimits#checkValue}; throws when it does not decode. */
    protected abstract T decode(byte[] value) throws Exception;

    /** Null when the decoded record is acceptable, else the first reason it is not. */
    protected abstract String problem(T record);

    /** The record's event time, epoch milliseconds. */
    protected abstract long time(T record);

    /** The reason of a record that did not decode. */
    protected abstract String unparseable(Exception e);

    /** Called on a record about to be emitted (e.g. to note where it came from). */
    protected void accepted(T record, RawRecord raw) {
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        byReason = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
        valid = getRuntimeContext().getMetricGroup().counter(validMetric);
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<T> out) {
        String reason;
        T r = null;
        try {
            limits.checkValue(raw.value);
            r = decode(raw.value);
            reason = problem(r);
        } catch (RecordLimits.LimitException e) {
            reason = e.getMessage();
        } catch (Exception e) {
            String m = DeadLetter.firstLine(e.getMessage());
            reason = m.startsWith("Duplicate field") ? "duplicate key: " + m
                    : e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException ? "limit: " + m
                    : unparseable(e);
        }
        if (reason == null) {
            reason = limits.timeProblem(time(r), System.currentTimeMillis());
        }
        if (reason == null && gate != null) {
            reason = gate.admit(time(r));
        }
        if (reason == null) {
            valid.inc();
            accepted(r, raw);
            out.collect(r);
            return;
        }
        deadLetters.inc();
        byReason.count(reason);
        ctx.output(DEAD_LETTERS, DeadLetter.of(raw, reason, rawMaxBytes, ctx.timerService().currentProcessingTime()));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (gate != null) {
            gateState.update(java.util.List.of(gate.newest()));
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        gateState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("event-time-gate-newest", Types.LONG));
        if (gate != null && context.isRestored()) {
            for (Long t : gateState.get()) {
                gate.restore(t);
            }
        }
    }
}
