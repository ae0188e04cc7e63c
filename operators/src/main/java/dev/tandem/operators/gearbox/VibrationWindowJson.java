package dev.tandem.operators.gearbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.common.RecordLimits;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the JSON form of a {@link VibrationWindow} in one pass over the tokens, inside {@link RecordLimits}: a
 * channel list longer than {@code gearbox.channels.max}, a channel longer than {@code gearbox.window.max}, more
 * fields than {@code records.max-fields} or a key given twice stop the read at once, before anything large is
 * allocated; samples go into a growable float buffer (amortised copies, linear in the record's size). Unknown
 * fields are skipped (their fields and elements counted), as the object mapper would ignore them.
 */
public final class VibrationWindowJson implements java.io.Serializable {
    private final RecordLimits limits;
    private final int maxChannels;
    private final int maxLength;
    private transient JsonFactory factory;

    public VibrationWindowJson(RecordLimits limits, int maxChannels, int maxLength) {
        this.limits = limits;
        this.maxChannels = maxChannels;
        this.maxLength = maxLength;
    }

    public VibrationWindow decode(byte[] bytes) throws IOException {
        limits.checkValue(bytes);
        dev.tandem.operators.common.Utf8.check(bytes);
        if (factory == null) {
            factory = limits.jsonFactory();
        }
        RecordLimits.Budget budget = limits.budget();
        try (JsonParser p = factory.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a vibration window must be a JSON object");
            }
            VibrationWindow w = new VibrationWindow();
            boolean sawTime = false;
            boolean sawRate = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                budget.field(p);
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "time" -> {
                        w.time = Json.readTime(p, "time");
                        sawTime = true;
                    }
                    case "machine" -> w.machine = text(p, name);
                    case "fleet" -> w.fleet = text(p, name);
                    case "label" -> w.label = text(p, name);
                    case "sample_rate_hz" -> {
                        if (!t.isNumeric()) {
                            throw new IOException("sample_rate_hz must be a number, got " + t);
                        }
                        w.sampleRateHz = p.getDoubleValue();
                        sawRate = true;
                    }
                    case "channels" -> w.channels = channels(p, budget);
                    case "rpm" -> {
                        if (t == JsonToken.VALUE_NULL) {
                            w.rpm = null;
                        } else if (!t.isNumeric()) {
                            throw new IOException("rpm must be a number, got " + t);
                        } else {
                            w.rpm = p.getDoubleValue();
                        }
                    }
                    default -> budget.skip(p);
                }
            }
            if (p.nextToken() != null) {
                throw new IOException("text after the window's JSON object");
            }
            if (!sawTime) {
                w.time = 0; // reported by the rules as a missing time
            }
            if (!sawRate) {
                w.sampleRateHz = 0;
            }
            return w;
        }
    }

    private static String text(JsonParser p, String name) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IOException(name + " must be a string, got " + t);
        }
        return p.getText();
    }

    private float[][] channels(JsonParser p, RecordLimits.Budget budget) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new IOException("channels must be an array of arrays of numbers");
        }
        List<float[]> out = new ArrayList<>();
        float[] buf = new float[256];
        while (p.nextToken() != JsonToken.END_ARRAY) {
            budget.element(out.size() + 1, maxChannels, "channel list", "gearbox.channels.max");
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                out.add(null);
                continue;
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw new IOException("channel " + out.size() + " must be an array of numbers");
            }
            int n = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                    throw new IOException("channel " + out.size() + " sample " + n + " is not a number: " + t);
                }
                budget.element(n + 1, maxLength, "channel " + out.size(), "gearbox.window.max");
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, Math.min(maxLength, 2 * n));
                }
                buf[n++] = p.getFloatValue();
            }
            out.add(Arrays.copyOf(buf, n));
        }
        return out.toArray(new float[0][]);
    }
}
