package dev.tandem.operators.common;

import java.util.Objects;

/**
 * A record that did not parse or validate (topic {@code dead-letters}): where it came from, why it was refused, and
 * the start of its bytes ({@code raw}: valid UTF-8 as text, any other byte and control characters escaped as
 * {@code \xNN}, a backslash as {@code \\}, truncated to a configured length), so a binary record can be told from
 * text and its bytes recovered.
 */
public class DeadLetter {
    /** The reason of a Kafka tombstone (a record whose value is null). */
    public static final String TOMBSTONE = "tombstone: the record has no value (null)";
    /** The reason of a record whose value is zero bytes long. */
    public static final String EMPTY = "empty: the record's value is 0 bytes";
    /** Longest reason a dead letter carries (see {@link #reason}). */
    public static final int MAX_REASON = 500;

    public String topic;
    public int partition;
    public long offset;
    public String reason;
    public String raw;
    /** Wall-clock time the record was refused, epoch milliseconds. */
    public long time;

    public DeadLetter() {
    }

    public DeadLetter(String topic, int partition, long offset, String reason, String raw, long time) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.reason = reason;
        this.raw = raw;
        this.time = time;
    }

    /** The dead letter of a raw record refused for {@code reason}, its value kept up to {@code rawMaxBytes}. */
    public static DeadLetter of(RawRecord raw, String reason, int rawMaxBytes, long time) {
        return new DeadLetter(raw.topic, raw.partition, raw.offset, reason(reason), truncate(raw.value, rawMaxBytes), time);
    }

    /**
     * The fault event of a model whose updates were refused {@code maxConsecutiveFaults} times in a row for non-finite
     * values (topic {@code dead-letters}, source {@code trainer}): reason {@code numerical: <what was not finite>: <n>
     * consecutive skipped updates of <model> (<m> in all); ...}; {@code raw} is the record whose update was refused
     * last. The job goes on: the model stays at its last good update.
     */
    public static DeadLetter numerical(String model, dev.tandem.learning.optim.FaultCounter faults, String raw,
                                       long time) {
        return new DeadLetter("trainer", -1, -1, NUMERICAL + faults.describe(model), raw, time);
    }

    /** The prefix of a numerical fault's reason. */
    public static final String NUMERICAL = "numerical: ";

    /**
     * The value as text, cut at max bytes (the cut is marked with the full length): valid UTF-8 is kept, every
     * other byte (an invalid sequence, a control character other than tab and line ends, a C1 control character, a
     * line or paragraph separator) is written {@code \xNN}
     * and a backslash {@code \\}, so the bytes can be read back exactly.
     */
    public static String truncate(byte[] value, int max) {
        if (value == null) {
            return "";
        }
        int n = Math.min(value.length, max);
        StringBuilder s = new StringBuilder(n + 16);
        int i = 0;
        while (i < n) {
            int b = value[i] & 0xff;
            int len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
            if (len == 1) {
                if (b == '\\') {
                    s.append("\\\\");
                } else if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7f) {
                    hex(s, b);
                } else {
                    s.append((char) b);
                }
                i++;
                continue;
            }
            String ch = len == 0 || i + len > n ? null : utf8(value, i, len);
            if (ch != null && lineBreaking(ch.codePointAt(0))) {
                for (int k = 0; k < len; k++) {
                    hex(s, value[i + k] & 0xff);
                }
                i += len;
                continue;
            }
            if (ch == null) {
                hex(s, b);
                i++;
            } else {
                s.append(ch);
                i += len;
            }
        }
        return n < value.length ? s + "…(" + value.length + " bytes)" : s.toString();
    }

    /**
     * A well-formed character that must still not stand as such in a raw value: a C1 control character (U+0080 to
     * U+009F; U+0085 is a line end for some readers) or the line and paragraph separators. Found by fuzzing: they
     * were kept as text, so a record could break the lines of a log or dashboard showing its dead letter.
     */
    private static boolean lineBreaking(int cp) {
        return cp >= 0x80 && cp <= 0x9f || cp == 0x2028 || cp == 0x2029;
    }

    /**
     * A reason as a dead letter carries it: one line of at most {@link #MAX_REASON} characters, every control
     * character and line or paragraph separator written as a backslash-u escape. A reason quotes the record (a bad
     * label, a token the JSON parser did not expect), and found by fuzzing: a label holding a line feed, or a binary
     * record read as JSON, put raw control characters and 3 KB of a record's text into the reason.
     */
    public static String reason(String r) {
        if (r == null) {
            return "(no reason)";
        }
        StringBuilder b = new StringBuilder(Math.min(r.length(), MAX_REASON) + 8);
        for (int i = 0; i < r.length() && b.length() < MAX_REASON; i++) {
            char c = r.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() < MAX_REASON ? b.toString() : b.substring(0, MAX_REASON - 1) + "…";
    }

    /** The character of a well-formed UTF-8 sequence (no overlong form, no surrogate), else null. */
    private static String utf8(byte[] v, int at, int len) {
        int cp = v[at] & (0xff >> (len + 1));
        for (int k = 1; k < len; k++) {
            int c = v[at + k] & 0xff;
            if ((c & 0xc0) != 0x80) {
                return null;
            }
            cp = cp << 6 | c & 0x3f;
        }
        int min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10ffff || cp >= 0xd800 && cp <= 0xdfff) {
            return null;
        }
        return new String(Character.toChars(cp));
    }

    private static void hex(StringBuilder s, int b) {
        s.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
    }

    /** The first line of an exception message, at most 300 characters: a reason, not a stack trace. */
    public static String firstLine(String m) {
        if (m == null) {
            return "(no message)";
        }
        int nl = m.indexOf('\n');
        String s = nl < 0 ? m : m.substring(0, nl);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter d)) {
            return false;
        }
        return partition == d.partition && offset == d.offset && time == d.time && Objects.equals(topic, d.topic)
                && Objects.equals(reason, d.reason) && Objects.equals(raw, d.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, reason, raw, time);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + topic + "-" + partition + "@" + offset + ": " + reason + "}";
    }
}
