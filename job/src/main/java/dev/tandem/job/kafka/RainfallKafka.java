package dev.tandem.job.kafka;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.common.RawRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The Kafka ends of the rainfall job: a read_committed source of {@code topics.weather-readings} (consumer group
 * {@code <kafka.group-id>-rainfall}) and exactly-once sinks whose transactional ids are
 * {@code <job.transactional-id-prefix>-rainfall-<topic>}, so that they never clash with the gearbox job's sinks (both
 * write dead letters) when the two jobs run side by side.
 */
public final class RainfallKafka {
    private RainfallKafka() {
    }

    public static String groupId(TandemConfig c) {
        return c.string("kafka.group-id") + "-rainfall";
    }

    public static KafkaSource<RawRecord> readingsSource(TandemConfig c) {
        OffsetsInitializer start = switch (c.string("kafka.starting-offsets")) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(c.string("kafka.bootstrap-servers"))
                .setTopics(c.string("topics.weather-readings"))
                .setGroupId(groupId(c))
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    public static KafkaSink<Forecast> forecastSink(TandemConfig c) {
        String topic = c.string("topics.rain-forecasts");
        return sink(c, topic, new JsonRecordSerializer<>(topic, (Forecast f) -> f.region));
    }

    public static KafkaSink<DeadLetter> deadLetterSink(TandemConfig c) {
        String topic = c.string("topics.dead-letters");
        return sink(c, topic, new JsonRecordSerializer<>(topic, (DeadLetter d) -> d.topic));
    }

    private static <T> KafkaSink<T> sink(TandemConfig c, String topic, JsonRecordSerializer<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(c.string("kafka.bootstrap-servers"))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(c.string("job.transactional-id-prefix") + "-rainfall-" + topic)
                .setProperty("transaction.timeout.ms", Integer.toString(c.integer("job.transaction-timeout-ms")))
                .build();
    }
}
