package dev.tandem.tools.kafka;

import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.WindowFormat;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Writes vibration windows to a topic: key = machine, record timestamp = the window's event time, value in the
 * topic's {@link WindowFormat}. {@link #sendRaw} writes arbitrary bytes (the demo's malformed records).
 */
public final class WindowProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final WindowFormat format;

    public WindowProducer(String bootstrap, String topic, WindowFormat format) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.format = format;
    }

    public void send(VibrationWindow w) {
        producer.send(new ProducerRecord<>(topic, null, w.time, w.machine.getBytes(StandardCharsets.UTF_8), format.encode(w)));
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
