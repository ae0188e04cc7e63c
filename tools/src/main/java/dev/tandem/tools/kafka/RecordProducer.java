package dev.tandem.tools.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Writes records of one kind to a topic: the key, the record timestamp (the record's event time) and the encoded
 * value come from the subclass ({@link WindowProducer}, {@link WeatherProducer}); {@link #sendRaw} writes arbitrary
 * bytes (the demo's and the tests' malformed records).
 */
public abstract class RecordProducer<T> implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    protected RecordProducer(String bootstrap, String topic) {
        this(bootstrap, topic, java.util.Map.of());
    }

    /** With client security properties ({@code KafkaClientSecurity.properties} of the configuration). */
    protected RecordProducer(String bootstrap, String topic, java.util.Map<String, String> security) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // A binary gearbox window is ~32 KiB, twice the default batch size: with it every window went to the broker
        // in a request of its own. 1 MiB lets the linger gather a few windows per partition and request.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1 << 20));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
    }

    protected abstract String key(T record);

    protected abstract long time(T record);

    protected abstract byte[] encode(T record);

    public void send(T record) {
        sendRaw(key(record), encode(record), time(record));
    }

    public void sendRaw(String key, byte[] value, long timestamp) {
        producer.send(new ProducerRecord<>(topic, null, timestamp, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value));
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
