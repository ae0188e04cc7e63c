package dev.tandem.job.kafka;

import dev.tandem.operators.common.Json;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** Writes records as JSON values (the {@link Json} conventions) to one topic, keyed by a field (machine, topic, …). */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
    /** A serializable key extractor. */
    public interface Key<T> extends Function<T, String>, Serializable {
    }

    private final String topic;
    private final Key<T> key;

    public JsonRecordSerializer(String topic, Key<T> key) {
        this.topic = topic;
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        return new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                Json.write(element));
    }
}
