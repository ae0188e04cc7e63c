package dev.tandem.operators.gearbox;

import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;


/**
 * Parses raw records into vibration windows and checks them against {@link ValidationRules}. A record that does not
 * parse or validate goes to the {@link #DEAD_LETTERS} side output with the reason, and is counted in the metric
 * {@code deadLetters}; nothing thrown by a bad record escapes, so bad input never stops the job.
 */
public final class ParseAndValidate extends ProcessFunction<RawRecord, VibrationWindow> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {
    };
    private final ValidationRules rules;
    private transient Counter deadLetters;
    private transient Counter valid;

    public ParseAndValidate(ValidationRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        valid = getRuntimeContext().getMetricGroup().counter("validWindows");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<VibrationWindow> out) {
        String reason;
        VibrationWindow w = null;
        try {
            w = rules.format().decode(raw.value);
            reason = rules.problem(w);
        } catch (Exception e) {
            reason = "unparseable " + rules.format().name().toLowerCase() + ": " + DeadLetter.firstLine(e.getMessage());
        }
        if (reason == null) {
            valid.inc();
            out.collect(w);
            return;
        }
        deadLetters.inc();
        ctx.output(DEAD_LETTERS, DeadLetter.of(raw, reason, rules.rawMaxBytes(), ctx.timerService().currentProcessingTime()));
    }
}
