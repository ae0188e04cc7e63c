package dev.tandem.job.kafka;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.common.RawRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Properties;

/**
 * The Kafka ends of the gearbox job, from configuration: a source of raw records that reads only committed
 * transactions, and exactly-once sinks (transactional ids {@code <job.transactional-id-prefix>-<topic>}).
 */
public final class GearboxKafka {
    private GearboxKafka() {
    }

    public static KafkaSource<RawRecord> windowsSource(TandemConfig c) {
        OffsetsInitializer start = switch (c.string("kafka.starting-offsets")) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(c.string("kafka.bootstrap-servers"))
                .setTopics(c.string("topics.gearbox-windows"))
                .setGroupId(c.string("kafka.group-id"))
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    public static KafkaSink<Prediction> predictionSink(TandemConfig c) {
        return sink(c, c.string("topics.gearbox-predictions"), new JsonRecordSerializer<>(c.string("topics.gearbox-predictions"),
                (Prediction p) -> p.machine));
    }

    public static KafkaSink<Alert> alertSink(TandemConfig c) {
        return sink(c, c.string("topics.gearbox-alerts"), new JsonRecordSerializer<>(c.string("topics.gearbox-alerts"),
                (Alert a) -> a.machine));
    }

    public static KafkaSink<DeadLetter> deadLetterSink(TandemConfig c) {
        return sink(c, c.string("topics.dead-letters"), new JsonRecordSerializer<>(c.string("topics.dead-letters"),
                (DeadLetter d) -> d.topic));
    }

    private static <T> KafkaSink<T> sink(TandemConfig c, String topic, JsonRecordSerializer<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(c.string("kafka.bootstrap-servers"))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(c.string("job.transactional-id-prefix") + "-" + topic)
                .setProperty("transaction.timeout.ms", Integer.toString(c.integer("job.transaction-timeout-ms")))
                .build();
    }

    /** Properties of a consumer that sees only committed output (the readers of the job's topics). */
    public static Properties readCommittedConsumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        return p;
    }
}
