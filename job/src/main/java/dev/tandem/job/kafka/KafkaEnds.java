package dev.tandem.job.kafka;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.operators.common.RawRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Properties;

/**
 * The Kafka ends of both jobs, from configuration: a source of raw records that reads only committed transactions
 * and commits its offsets on checkpoints, and exactly-once JSON sinks. Each job names its own consumer group and
 * transactional-id prefix (see the mains), so two jobs writing the same topic (dead letters) never share a
 * transactional id. Every client gets the configured security ({@link KafkaClientSecurity}).
 */
public final class KafkaEnds {
    private KafkaEnds() {
    }

    /** A read_committed source of {@code topic}, starting as {@code kafka.starting-offsets} says. */
    public static KafkaSource<RawRecord> source(TandemConfig c, String topic, String groupId) {
        OffsetsInitializer start = switch (c.string("kafka.starting-offsets")) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
        var builder = KafkaSource.<RawRecord>builder();
        KafkaClientSecurity.properties(c).forEach(builder::setProperty);
        return builder
                .setBootstrapServers(c.string("kafka.bootstrap-servers"))
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    /**
     * An exactly-once sink of JSON records to {@code topic}, keyed by {@code key}; transactional ids
     * {@code <transactionalIdPrefix>-<topic>}.
     */
    public static <T> KafkaSink<T> sink(TandemConfig c, String topic, String transactionalIdPrefix,
                                        JsonRecordSerializer.Key<T> key) {
        var builder = KafkaSink.<T>builder();
        KafkaClientSecurity.properties(c).forEach(builder::setProperty);
        return builder
                .setBootstrapServers(c.string("kafka.bootstrap-servers"))
                .setRecordSerializer(new JsonRecordSerializer<>(topic, key))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + topic)
                .setProperty("transaction.timeout.ms", Integer.toString(c.integer("job.transaction-timeout-ms")))
                .setProperty("linger.ms", Integer.toString(c.integer("job.sink-linger-ms")))
                .build();
    }

    /** Properties of a consumer that sees only committed output (the readers of the job's topics), plaintext. */
    public static Properties readCommittedConsumer(String bootstrap, String group) {
        return readCommittedConsumer(bootstrap, group, java.util.Map.of());
    }

    /** The same with client security properties ({@link KafkaClientSecurity#properties}). */
    public static Properties readCommittedConsumer(String bootstrap, String group, java.util.Map<String, String> security) {
        Properties p = new Properties();
        p.putAll(security);
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
