package dev.tandem.operators.rain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.common.RecordLimits;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a {@link WeatherReading} from JSON in one pass over the tokens, inside {@link RecordLimits}: at most
 * {@code records.max-fields} fields (nested ones in ignored values counted too), a key given twice refused, extra
 * numeric fields gathered in a growable list and turned into the reading's two arrays once at the end (the old path
 * copied both arrays per field: quadratic, 13 s for 100,000 fields).
 *
 * <p>{@code rain_mm} absent or null is a missing value (NaN), never a silent zero; a {@code rain_mm} that is not a
 * number (e.g. the string "NaN") is refused; {@code lat} and {@code lon} must be numbers; the other standard fields
 * are numbers or null. Other fields holding numbers are extra features; other fields holding text, booleans,
 * arrays or objects are skipped.
 */
public final class WeatherReadingJson implements Serializable {
    private final RecordLimits limits;
    private transient JsonFactory factory;

    public WeatherReadingJson(RecordLimits limits) {
        this.limits = limits;
    }

    public WeatherReading decode(byte[] value) throws IOException {
        limits.checkValue(value);
        dev.tandem.operators.common.Utf8.check(value);
        if (factory == null) {
            factory = limits.jsonFactory();
        }
        RecordLimits.Budget budget = limits.budget();
        try (JsonParser p = factory.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a weather reading must be a JSON object");
            }
            WeatherReading r = new WeatherReading();
            r.rainMm = Double.NaN;
            Double lat = null;
            Double lon = null;
            List<String> extraNames = new ArrayList<>();
            double[] extraValues = new double[8];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                budget.field(p);
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "time" -> r.time = Json.readTime(p, "time");
                    case "station" -> {
                        if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
                            throw new IOException("station must be a string, got " + t);
                        }
                        r.station = t == JsonToken.VALUE_NULL ? null : p.getText();
                    }
                    case "lat" -> lat = number(p, name);
                    case "lon" -> lon = number(p, name);
                    case "rain_mm" -> {
                        Double v = number(p, name);
                        r.rainMm = v == null ? Double.NaN : v;
                    }
                    case "humidity_pct" -> r.humidityPct = number(p, name);
                    case "pressure_hpa" -> r.pressureHpa = number(p, name);
                    case "temp_c" -> r.tempC = number(p, name);
                    case "wind_kmh" -> r.windKmh = number(p, name);
                    default -> {
                        if (t.isNumeric()) {
                            if (extraNames.size() == extraValues.length) {
                                extraValues = Arrays.copyOf(extraValues, 2 * extraValues.length);
                            }
                            extraValues[extraNames.size()] = p.getDoubleValue();
                            extraNames.add(name);
                        } else {
                            budget.skip(p);
                        }
                    }
                }
            }
            if (p.nextToken() != null) {
                throw new IOException("text after the reading's JSON object");
            }
            if (lat == null) {
                throw new IOException("missing lat");
            }
            if (lon == null) {
                throw new IOException("missing lon");
            }
            r.lat = lat;
            r.lon = lon;
            r.extraNames = extraNames.toArray(new String[0]);
            r.extraValues = Arrays.copyOf(extraValues, extraNames.size());
            return r;
        }
    }

    /** A number, or null for JSON null; anything else is refused. */
    private static Double number(JsonParser p, String name) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!t.isNumeric()) {
            throw new IOException(name + " must be a number, got " + (t == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : t));
        }
        return p.getDoubleValue();
    }
}
