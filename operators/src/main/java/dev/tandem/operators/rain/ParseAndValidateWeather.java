package dev.tandem.operators.rain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.EventTimeGate;
import dev.tandem.operators.common.Identifiers;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.common.ParseFunction;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.common.RecordLimits;
import org.apache.flink.util.OutputTag;

import java.io.IOException;

/**
 * Parses raw {@code weather-readings} records into {@link WeatherReading}s ({@link WeatherReadingJson}, inside
 * {@link RecordLimits}) and checks them against {@link WeatherRules}; the station and the names of extra features
 * must be {@link Identifiers}. A record that does not parse or validate, or whose time is too far ahead (see
 * {@link ParseFunction}), goes to {@link #DEAD_LETTERS} (the same side output as the gearbox checks) with the
 * reason, counted in the metric {@code deadLetters}; nothing a record contains can stop the job. An accepted reading
 * notes the topic, partition and offset it came from, for the rasterizer's late dead letters.
 */
public final class ParseAndValidateWeather extends ParseFunction<WeatherReading> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = ParseFunction.DEAD_LETTERS;
    private static final WeatherReadingJson DEFAULT_JSON = new WeatherReadingJson(RecordLimits.DEFAULTS);
    private final WeatherRules rules;
    private final WeatherReadingJson json;

    /** Default record limits, no event-time gate. */
    public ParseAndValidateWeather(WeatherRules rules) {
        this(rules, RecordLimits.DEFAULTS, null);
    }

    public ParseAndValidateWeather(WeatherRules rules, RecordLimits limits, EventTimeGate gate) {
        super(limits, gate, rules.rawMaxBytes(), "validReadings");
        this.rules = rules;
        this.json = new WeatherReadingJson(limits);
    }

    /** The reading of a JSON value within the default {@link RecordLimits} (the rules are not applied). */
    public static WeatherReading parse(byte[] value) throws IOException {
        return DEFAULT_JSON.decode(value);
    }

    @Override
    protected WeatherReading decode(byte[] value) throws IOException {
        return json.decode(value);
    }

    @Override
    protected String problem(WeatherReading r) {
        String p = rules.problem(r);
        if (p == null) {
            p = Identifiers.problem("station", r.station, limits.maxIdLength());
        }
        for (int i = 0; p == null && i < r.extraNames.length; i++) {
            p = Identifiers.problem("feature name", r.extraNames[i], limits.maxIdLength());
        }
        return p;
    }

    @Override
    protected long time(WeatherReading r) {
        return r.time;
    }

    @Override
    protected String unparseable(Exception e) {
        return "unparseable json: " + DeadLetter.firstLine(e.getMessage());
    }

    @Override
    protected void accepted(WeatherReading r, RawRecord raw) {
        r.sourceTopic = raw.topic;
        r.sourcePartition = raw.partition;
        r.sourceOffset = raw.offset;
    }

    /** The JSON of a reading as the replay tools write it: a missing rain value (NaN) is left out. */
    public static byte[] write(WeatherReading r) {
        ObjectNode o = Json.mapper().valueToTree(r);
        if (Double.isNaN(r.rainMm)) {
            o.remove("rain_mm");
        }
        try {
            return Json.mapper().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
