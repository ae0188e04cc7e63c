package dev.tandem.operators.common;

/**
 * A record as it came off a topic, before parsing: the operators never see Kafka classes, only this. {@code
 * timestamp} is the record's timestamp (epoch ms; the replay tools set it to the window's event time).
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {
    }

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public String toString() {
        return "RawRecord{" + topic + "-" + partition + "@" + offset + ", " + (value == null ? 0 : value.length) + " bytes}";
    }
}
