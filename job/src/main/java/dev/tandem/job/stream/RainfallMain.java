package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.kafka.RainfallKafka;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point for a Flink cluster ({@code flink run -c dev.tandem.job.stream.RainfallMain tandem-job.jar
 * [--config FILE] [--set key=value ...]}): the rainfall job with Kafka source and exactly-once Kafka sinks.
 */
public final class RainfallMain {
    private RainfallMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = null;
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> file = Path.of(args[++i]);
                case "--set" -> sets.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --config FILE, --set key=value");
            }
        }
        TandemConfig config = TandemConfig.load(file, sets);
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
