package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.kafka.RainfallKafka;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;


/**
 * Entry point for a Flink cluster ({@code flink run -c dev.tandem.job.stream.RainfallMain tandem-job.jar
 * [--config FILE] [--set key=value ...]}): the rainfall job with Kafka source and exactly-once Kafka sinks.
 */
public final class RainfallMain {
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
        GearboxJob.configure(env, config);
        return attach(env, config);
    }

    /** Attaches the rainfall job to an environment that is already configured (e.g. beside the gearbox job). */
    public static RainfallJob.Outputs attach(StreamExecutionEnvironment env, TandemConfig config) {
        return new RainfallJob(config, RainfallKafka.readingsSource(config), RainfallKafka.forecastSink(config),
                RainfallKafka.deadLetterSink(config)).attach(env);
    }
}
