package dev.tandem.operators.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The JSON form of every record: UTF-8, field names in snake_case (the canonical column names of
 * ARCHITECTURE.md: {@code sampleRateHz} is {@code sample_rate_hz}), absent optional fields left out. Times are
 * written as epoch milliseconds and read as epoch milliseconds or ISO-8601 ({@code 2026-01-31T12:00:00Z}). A key
 * given twice is refused. The records of the input topics are not read with this mapper but with the streaming
 * decoders bounded by {@link RecordLimits} (docs/HARDENING.md).
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            // Jackson's own number parser and writer instead of the JDK's: a JSON vibration window is 8,192 floats,
            // and Float.parseFloat took half of the gearbox job's CPU (W4 profile)
            .configure(com.fasterxml.jackson.core.JsonParser.Feature.USE_FAST_DOUBLE_PARSER, true)
            .configure(com.fasterxml.jackson.core.JsonGenerator.Feature.USE_FAST_DOUBLE_WRITER, true)
            // a key given twice is an error, not "last value wins": two labels in one record are not one label
            .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object record) {
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + record.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) throws IOException {
        return MAPPER.readValue(json, type);
    }

    /** Reads a time as epoch milliseconds (a JSON number) or an ISO-8601 instant or offset date-time (a string). */
    public static final class TimeDeserializer extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return parseTime(p.getText());
            }
            throw ctxt.weirdStringException(p.getText(), Long.class, "time must be epoch milliseconds or ISO-8601");
        }
    }

    /** Reads the time at the parser's current token: an integer (epoch ms) or a string (see {@link #parseTime}). */
    public static long readTime(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            return parseTime(p.getText());
        }
        throw new IOException(field + " must be epoch milliseconds or ISO-8601, got " + t);
    }

    public static long parseTime(String text) throws IOException {
        String t = text.trim();
        if (t.length() > 64) {
            throw new IOException("time of " + t.length() + " characters is neither epoch milliseconds nor ISO-8601");
        }
        // ASCII digits only: Character.isDigit would also take, say, Arabic-Indic digits as epoch milliseconds
        if (!t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                // found by fuzzing: 20 or more digits escaped the decoder as an unchecked exception
                throw new IOException("time '" + t + "' is out of the range of epoch milliseconds");
            }
        }
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(t).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new IOException("time '" + text + "' is neither epoch milliseconds nor ISO-8601");
            } catch (ArithmeticException e2) {
                throw new IOException("time '" + t + "' is out of the range of epoch milliseconds");
            }
        } catch (ArithmeticException e) {
            // found by fuzzing: an ISO instant of the year +999999999 parses, but has no epoch millisecond
            throw new IOException("time '" + t + "' is out of the range of epoch milliseconds");
        }
    }
}
