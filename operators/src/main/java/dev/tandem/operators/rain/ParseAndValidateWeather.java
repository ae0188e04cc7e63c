package dev.tandem.operators.rain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.gearbox.ParseAndValidate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Parses raw {@code weather-readings} records into {@link WeatherReading}s and checks them against
 * {@link WeatherRules}. A record that does not parse or validate goes to {@link #DEAD_LETTERS} (the same side output
 * as the gearbox checks) with the reason, counted in the metric {@code deadLetters}; nothing a record contains can
 * stop the job.
 *
 * <p>JSON details: {@code rain_mm} absent or null is a missing value (NaN, masked downstream), never a silent zero;
 * a {@code rain_mm} that is not a number (e.g. the string "NaN") is refused. Fields other than the standard ones
 * that hold numbers are extra features; extra fields holding text, booleans or objects are ignored.
 */
public final class ParseAndValidateWeather extends ProcessFunction<RawRecord, WeatherReading> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = ParseAndValidate.DEAD_LETTERS;
    private final WeatherRules rules;
    private transient Counter deadLetters;
    private transient Counter valid;

    public ParseAndValidateWeather(WeatherRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        valid = getRuntimeContext().getMetricGroup().counter("validReadings");
    }

    /** The reading of a JSON value (the rules are not applied). */
    public static WeatherReading parse(byte[] value) throws IOException {
        JsonNode tree = Json.mapper().readTree(value);
        if (tree == null || !tree.isObject()) {
            throw new IOException("a weather reading must be a JSON object");
        }
        ObjectNode o = (ObjectNode) tree;
        JsonNode rain = o.get("rain_mm");
        boolean rainMissing = rain == null || rain.isNull();
        if (!rainMissing && !rain.isNumber()) {
            throw new IOException("rain_mm must be a number, got " + rain);
        }
        for (String f : new String[] {"lat", "lon"}) {
            JsonNode n = o.get(f);
            if (n == null || n.isNull()) {
                throw new IOException("missing " + f);
            }
            if (!n.isNumber()) {
                throw new IOException(f + " must be a number, got " + n);
            }
        }
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!WeatherFeatures.KNOWN_FIELDS.contains(e.getKey()) && !e.getValue().isNumber()) {
                it.remove();
            }
        }
        if (rainMissing) {
            o.remove("rain_mm");
        }
        WeatherReading r = Json.mapper().treeToValue(o, WeatherReading.class);
        if (rainMissing) {
            r.rainMm = Double.NaN;
        }
        return r;
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

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<WeatherReading> out) {
        String reason;
        WeatherReading r = null;
        try {
            r = parse(raw.value);
            reason = rules.problem(r);
        } catch (Exception e) {
            reason = "unparseable json: " + DeadLetter.firstLine(e.getMessage());
        }
        if (reason == null) {
            valid.inc();
            out.collect(r);
            return;
        }
        deadLetters.inc();
        ctx.output(DEAD_LETTERS, DeadLetter.of(raw, reason, rules.rawMaxBytes(), ctx.timerService().currentProcessingTime()));
    }
}
