package dev.tandem.operators.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.operators.records.DeadLetter;
import dev.tandem.operators.records.Json;
import dev.tandem.operators.records.RawRecord;
import dev.tandem.operators.records.WeatherReading;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses raw {@code weather-readings} records (JSON, ARCHITECTURE.md WeatherReading) and checks them against
 * {@link WeatherRules}. A record that does not parse, lacks {@code time}, {@code lat}, {@code lon} or
 * {@code rain_mm} (absent is never read as 0), or breaks a rule goes to {@link ParseAndValidate#DEAD_LETTERS} with
 * the reason and is counted ({@code deadLetters}); nothing a bad record throws escapes.
 */
public final class ParseWeather extends ProcessFunction<RawRecord, WeatherReading> {
    private static final String[] REQUIRED = {"time", "station", "lat", "lon", "rain_mm"};
    private final WeatherRules rules;
    private transient Counter deadLetters;
    private transient Counter valid;

    public ParseWeather(WeatherRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        valid = getRuntimeContext().getMetricGroup().counter("validReadings");
    }

    /** The reading, or null with the reason in {@code reason[0]}. */
    static WeatherReading parse(byte[] value, WeatherRules rules, String[] reason) {
        try {
            JsonNode tree = Json.mapper().readTree(value);
            if (tree == null || !tree.isObject()) {
                reason[0] = "unparseable json: not an object";
                return null;
            }
            for (String f : REQUIRED) {
                if (!tree.hasNonNull(f)) {
                    reason[0] = "missing " + f;
                    return null;
                }
            }
            WeatherReading r = Json.mapper().treeToValue(tree, WeatherReading.class);
            reason[0] = rules.problem(r);
            return reason[0] == null ? r : null;
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = m.indexOf('\n');
            m = nl < 0 ? m : m.substring(0, nl);
            reason[0] = "unparseable json: " + (m.length() > 300 ? m.substring(0, 300) + "…" : m);
            return null;
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<WeatherReading> out) {
        String[] reason = new String[1];
        WeatherReading r = raw.value == null ? null : parse(raw.value, rules, reason);
        if (r != null) {
            valid.inc();
            out.collect(r);
            return;
        }
        deadLetters.inc();
        ctx.output(ParseAndValidate.DEAD_LETTERS, new DeadLetter(raw.topic, raw.partition, raw.offset,
                reason[0] == null ? "empty record" : reason[0], ParseAndValidate.truncate(raw.value, rules.rawMaxBytes()),
                ctx.timerService().currentProcessingTime()));
    }
}
