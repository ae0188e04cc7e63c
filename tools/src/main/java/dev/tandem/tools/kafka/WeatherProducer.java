package dev.tandem.tools.kafka;

import dev.tandem.operators.rain.ParseAndValidateWeather;
import dev.tandem.operators.rain.WeatherReading;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Writes weather readings to a topic: key = station, record timestamp = the reading's time (its event time), value
 * the reading's JSON (a missing rain value left out). {@link #sendRaw} writes arbitrary bytes (malformed records).
 */
public final class WeatherProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public WeatherProducer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
    }

    public void send(WeatherReading r) {
        producer.send(new ProducerRecord<>(topic, null, r.time, r.station.getBytes(StandardCharsets.UTF_8),
                ParseAndValidateWeather.write(r)));
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
