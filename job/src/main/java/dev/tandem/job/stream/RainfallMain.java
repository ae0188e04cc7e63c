package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.kafka.KafkaEnds;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.rain.Forecast;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;


/**
 * Entry point for a Flink cluster ({@code flink run -c dev.tandem.job.stream.RainfallMain tandem-job.jar
 * [--config FILE] [--set key=value ...]}): the rainfall job with Kafka source and exactly-once Kafka sinks.
 */
public final class RainfallMain {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RainfallMain.class);

    private RainfallMain() {
    }

    public static void main(String[] args) throws Exception {
        TandemConfig config = TandemConfig.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, config);
        env.execute("tandem-rainfall");
    }

    /** Configures env and attaches the rainfall job with its Kafka ends. */
    public static RainfallJob.Outputs build(StreamExecutionEnvironment env, TandemConfig config) {
        JobEnvironment.configure(env, config);
        return attach(env, config);
    }

    /** Attaches the rainfall job to an environment that is already configured (e.g. beside the gearbox job). */
    public static RainfallJob.Outputs attach(StreamExecutionEnvironment env, TandemConfig config) {
        LOG.info("rainfall job: Kafka {} ({}), configuration: {}", config.string("kafka.bootstrap-servers"),
                config.string("kafka.security.protocol"), config.describe());
        // its own consumer group and transactional ids: both jobs write dead letters, side by side in the demo
        String tx = config.string("job.transactional-id-prefix") + "-rainfall";
        return new RainfallJob(config,
                KafkaEnds.source(config, config.string("topics.weather-readings"), groupId(config)),
                KafkaEnds.sink(config, config.string("topics.rain-forecasts"), tx, (Forecast f) -> f.region),
                KafkaEnds.sink(config, config.string("topics.dead-letters"), tx, (DeadLetter d) -> d.topic)).attach(env);
    }

    /** The rainfall job's consumer group: {@code <kafka.group-id>-rainfall}. */
    public static String groupId(TandemConfig config) {
        return config.string("kafka.group-id") + "-rainfall";
    }
}
