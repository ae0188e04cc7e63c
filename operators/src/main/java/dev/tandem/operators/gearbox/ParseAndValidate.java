package dev.tandem.operators.gearbox;

import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.EventTimeGate;
import dev.tandem.operators.common.Identifiers;
import dev.tandem.operators.common.ParseFunction;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.common.RecordLimits;
import org.apache.flink.util.OutputTag;

import java.util.Locale;

/**
 * Parses raw records into vibration windows ({@link VibrationWindowJson} or {@link VibrationWindowBinary}, inside
 * {@link RecordLimits}) and checks them against {@link ValidationRules}; machine and fleet must be
 * {@link Identifiers}. A record that does not parse or validate, or whose time is too far ahead (see
 * {@link ParseFunction}), goes to the {@link #DEAD_LETTERS} side output with the reason, counted in the metric
 * {@code deadLetters}; nothing thrown by a bad record escapes, so bad input never stops the job.
 */
public final class ParseAndValidate extends ParseFunction<VibrationWindow> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = ParseFunction.DEAD_LETTERS;
    private final ValidationRules rules;
    private final VibrationWindowJson json;

    /** Default record limits, no event-time gate. */
    public ParseAndValidate(ValidationRules rules) {
        this(rules, RecordLimits.DEFAULTS, null);
    }

    public ParseAndValidate(ValidationRules rules, RecordLimits limits, EventTimeGate gate) {
        super(limits, gate, rules.rawMaxBytes(), "validWindows");
        this.rules = rules;
        this.json = new VibrationWindowJson(limits, rules.maxChannels(), rules.maxLength());
    }

    @Override
    protected VibrationWindow decode(byte[] value) throws Exception {
        return rules.format() == WindowFormat.JSON ? json.decode(value)
                : VibrationWindowBinary.decode(value, rules.maxChannels(), rules.maxLength());
    }

    @Override
    protected String problem(VibrationWindow w) {
        String p = rules.problem(w);
        if (p == null) {
            p = Identifiers.problem("machine", w.machine, limits.maxIdLength());
        }
        if (p == null) {
            p = Identifiers.problem("fleet", w.fleet, limits.maxIdLength());
        }
        return p;
    }

    @Override
    protected long time(VibrationWindow w) {
        return w.time;
    }

    @Override
    protected void accepted(VibrationWindow w, RawRecord raw) {
        w.sourceTopic = raw.topic;
        w.sourcePartition = raw.partition;
        w.sourceOffset = raw.offset;
    }

    @Override
    protected String unparseable(Exception e) {
        return "unparseable " + rules.format().name().toLowerCase(Locale.ROOT) + ": " + DeadLetter.firstLine(e.getMessage());
    }
}
