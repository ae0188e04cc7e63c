package dev.tandem.operators.common;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A record that did not parse or validate (topic {@code dead-letters}): where it came from, why it was refused, and
 * the start of its bytes ({@code raw}, UTF-8 with invalid bytes replaced, truncated to a configured length).
 */
public class DeadLetter {
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
        return new DeadLetter(raw.topic, raw.partition, raw.offset, reason, truncate(raw.value, rawMaxBytes), time);
    }

    /** The value as text, cut at max bytes (the cut is marked with the full length). */
    public static String truncate(byte[] value, int max) {
        if (value == null) {
            return "";
        }
        int n = Math.min(value.length, max);
        String s = new String(value, 0, n, StandardCharsets.UTF_8);
        return n < value.length ? s + "…(" + value.length + " bytes)" : s;
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
