package dev.tandem.operators.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.io.Serializable;

/**
 * Bounds on what one record may make the job do (configuration {@code records.*}, docs/HARDENING.md): its size in
 * bytes (as the consumer hands it over, i.e. after Kafka's decompression), the number of JSON fields it holds (nested
 * ones included), the length of a string, of a number and of an array, the depth of nesting, the length of an
 * identifier, and how far after the wall clock its time may lie. Every decoder checks them while it reads, so the
 * work a record causes grows linearly with its size and stops at the first bound it crosses.
 */
public record RecordLimits(int maxBytes, int maxFields, int maxStringLength, int maxNumberLength, int maxNesting,
                           int maxArrayLength, int maxIdLength, long maxClockAheadMs) implements Serializable {

    /** The defaults of {@code config/defaults.properties}. */
    public static final RecordLimits DEFAULTS = new RecordLimits(8 << 20, 1024, 4096, 100, 16, 65536, 64, 86_400_000L);

    public RecordLimits {
        positive("records.max-bytes", maxBytes);
        positive("records.max-fields", maxFields);
        positive("records.max-string-length", maxStringLength);
        positive("records.max-number-length", maxNumberLength);
        positive("records.max-nesting", maxNesting);
        positive("records.max-array-length", maxArrayLength);
        positive("records.max-id-length", maxIdLength);
        if (maxClockAheadMs < 0) {
            throw new IllegalArgumentException("records.max-clock-ahead-ms must be >= 0, got " + maxClockAheadMs);
        }
    }

    private static void positive(String key, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, got " + v);
        }
    }

    /**
     * A JSON factory that enforces these limits while tokenizing (Jackson's {@link StreamReadConstraints}: document
     * length, nesting depth, string, name and number lengths) and refuses duplicate keys instead of keeping the
     * last value (a record saying two things at once, e.g. two labels, is not one we can learn from).
     */
    public JsonFactory jsonFactory() {
        StreamReadConstraints c = StreamReadConstraints.builder()
                .maxDocumentLength(maxBytes)
                .maxNestingDepth(maxNesting)
                .maxStringLength(maxStringLength)
                .maxNameLength(Math.min(maxStringLength, 1024))
                .maxNumberLength(maxNumberLength)
                .build();
        return JsonFactory.builder()
                .streamReadConstraints(c)
                // field names are not interned in the factory's shared symbol table: names chosen by a record's
                // sender would otherwise pile up there across records (and 100,000 of them took a second to intern)
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
    }

    /** Refuses a value over {@link #maxBytes}, a Kafka tombstone (null) and an empty value, each with its reason. */
    public void checkValue(byte[] value) throws LimitException {
        if (value == null) {
            throw new LimitException(DeadLetter.TOMBSTONE);
        }
        if (value.length == 0) {
            throw new LimitException(DeadLetter.EMPTY);
        }
        if (value.length > maxBytes) {
            throw new LimitException("too large: record of " + value.length + " bytes; allowed: at most "
                    + maxBytes + " (records.max-bytes)");
        }
    }

    /** Null when {@code time} is not after the wall clock {@code now} by more than {@link #maxClockAheadMs}. */
    public String timeProblem(long time, long now) {
        if (time > now && time - now > maxClockAheadMs) {
            return "future: time " + time + " is " + (time - now) + " ms after the wall clock " + now
                    + "; allowed: at most " + maxClockAheadMs + " (records.max-clock-ahead-ms)";
        }
        return null;
    }

    /** A bound crossed by a record (or an unusable value: tombstone, empty); its message is the dead letter's reason. */
    public static final class LimitException extends IOException {
        public LimitException(String reason) {
            super(reason);
        }
    }

    /** Counts fields and array elements while a decoder reads, throwing as soon as a bound is crossed. */
    public final class Budget {
        private int fields;

        /** One more field name read. */
        public void field(JsonParser p) throws LimitException {
            if (++fields > maxFields) {
                throw new LimitException("limit: more than " + maxFields + " fields (records.max-fields)");
            }
        }

        /** Checks an array's running length {@code n} against {@code max} ({@code what} names it, {@code key} its key). */
        public void element(int n, int max, String what, String key) throws LimitException {
            if (n > max) {
                throw new LimitException("limit: " + what + " longer than " + max + " (" + key + ")");
            }
        }

        /** Checks an array's running length against {@link #maxArrayLength}. */
        public void element(int n, String what) throws LimitException {
            element(n, maxArrayLength, what, "records.max-array-length");
        }

        /** Skips the value at the parser's current token, counting its fields and elements. */
        public void skip(JsonParser p) throws IOException {
            com.fasterxml.jackson.core.JsonToken t = p.currentToken();
            if (t == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    field(p);
                    p.nextToken();
                    skip(p);
                }
            } else if (t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                int n = 0;
                while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                    element(++n, "an array");
                    skip(p);
                }
            } else if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                // Jackson checks its string bound only when its buffer grows; checked here to the character
                if (p.getTextLength() > maxStringLength) {
                    throw new LimitException("limit: a string longer than " + maxStringLength
                            + " characters (records.max-string-length)");
                }
            }
        }
    }

    public Budget budget() {
        return new Budget();
    }
}
