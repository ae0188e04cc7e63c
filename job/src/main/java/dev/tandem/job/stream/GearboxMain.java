package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.kafka.KafkaEnds;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;


/**
 * Entry point for a Flink cluster ({@code flink run -c dev.tandem.job.stream.GearboxMain tandem-job.jar
 * [--config FILE] [--set key=value ...]}): the gearbox job with Kafka source and exactly-once Kafka sinks.
 */
public final class GearboxMain {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GearboxMain.class);

    private GearboxMain() {
    }

    public static void main(String[] args) throws Exception {
        TandemConfig config = TandemConfig.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, config);
        env.execute("tandem-gearbox");
    }

    /** Configures env and attaches the gearbox job with its Kafka ends. */
    public static GearboxJob.Outputs build(StreamExecutionEnvironment env, TandemConfig config) {
        JobEnvironment.configure(env, config);
        LOG.info("gearbox job: Kafka {} ({}), configuration: {}", config.string("kafka.bootstrap-servers"),
                config.string("kafka.security.protocol"), config.describe());
        String tx = config.string("job.transactional-id-prefix");
        return new GearboxJob(config,
                KafkaEnds.source(config, config.string("topics.gearbox-windows"), config.string("kafka.group-id")),
                KafkaEnds.sink(config, config.string("topics.gearbox-predictions"), tx, (Prediction p) -> p.machine),
                KafkaEnds.sink(config, config.string("topics.gearbox-alerts"), tx, (Alert a) -> a.machine),
                KafkaEnds.sink(config, config.string("topics.dead-letters"), tx, (DeadLetter d) -> d.topic)).attach(env);
    }
}
