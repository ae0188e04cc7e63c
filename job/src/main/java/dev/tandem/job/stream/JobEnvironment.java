package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;

/**
 * What both jobs share about the Flink environment: exactly-once checkpoints with their state backend and storage,
 * parallelism, no Kryo, and how event time is taken from validated records. The dead letters of both jobs leave
 * their parse step through one side output ({@code ParseFunction.DEAD_LETTERS}) and Kafka through
 * {@code KafkaEnds}.
 */
public final class JobEnvironment {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobEnvironment.class);

    private JobEnvironment() {
    }

    /**
     * Checkpointing (exactly-once) with its state backend and storage ({@link CheckpointStorageSettings}),
     * parallelism, and no Kryo fallback for generic types.
     */
    public static void configure(StreamExecutionEnvironment env, TandemConfig config) {
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(c);
        env.setParallelism(config.integer("job.parallelism"));
        env.enableCheckpointing(config.integer("job.checkpoint-interval-ms"), CheckpointingMode.EXACTLY_ONCE);
        CheckpointStorageSettings.of(config).apply(env);
        env.getConfiguration().getOptional(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH)
                .ifPresent(path -> LOG.info("restoring the job's state from {}", path));
    }

    /**
     * Event time of the validated records: their own time field, bounded out-of-orderness, idleness. It is assigned
     * after parse + validate (the source has {@link WatermarkStrategy#noWatermarks()}), so a record that does not
     * validate, or whose time the {@link dev.tandem.operators.common.EventTimeGate} refuses, never moves the
     * watermark (docs/HARDENING.md). The Kafka record timestamp is not used: a garbage record stamped with the wall
     * clock moved the watermark past the stream and made every later reading late.
     *
     * <p>Idleness ({@code job.source-idle-timeout-ms}) is per parallel instance of the parse operator: one that
     * gets no valid record for that long (no partition, or only bad records) stops holding the watermark back.
     */
    public static <T> WatermarkStrategy<T> watermarks(TandemConfig config, SerializableTimestampAssigner<T> time) {
        WatermarkStrategy<T> w = WatermarkStrategy
                .<T>forBoundedOutOfOrderness(Duration.ofMillis(config.integer("job.watermark-out-of-orderness-ms")))
                .withTimestampAssigner(time);
        int idle = config.integer("job.source-idle-timeout-ms");
        return idle > 0 ? w.withIdleness(Duration.ofMillis(idle)) : w;
    }

}
