package dev.tandem.operators.records;

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
