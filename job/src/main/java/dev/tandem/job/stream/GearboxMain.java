package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.kafka.GearboxKafka;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;


/**
 * Entry point for a Flink cluster ({@code flink run -c dev.tandem.job.stream.GearboxMain tandem-job.jar
 * [--config FILE] [--set key=value ...]}): the gearbox job with Kafka source and exactly-once Kafka sinks.
 */
public final class GearboxMain {
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
        GearboxJob.configure(env, config);
        return new GearboxJob(config, GearboxKafka.windowsSource(config), GearboxKafka.predictionSink(config),
                GearboxKafka.alertSink(config), GearboxKafka.deadLetterSink(config)).attach(env);
    }
}
