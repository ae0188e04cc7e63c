package dev.tandem.tools.cli;

import dev.tandem.tools.bench.RainfallStreamBenchmark;
import dev.tandem.job.config.TandemConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code tandem bench w5}: the rainfall job end to end, readings/s sustained and forecast latency. */
@Command(name = "w5", mixinStandardHelpOptions = true,
        description = {"W5: the rainfall job end to end on this machine (Kafka broker in its own JVM, Flink mini cluster,",
                "SYNTHETIC station readings replayed into Kafka): readings/s sustained while the job works through a",
                "backlog, then forecast latency at half that rate (the reading that closes a step appended -> forecast",
                "emitted; also -> visible to read_committed readers, and from the step's last reading). Model settings",
                "from the configuration (--config/--set)."})
final class BenchW5Command implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "60",
            description = "Seconds of writing: half for the throughput phase, half for the latency phase. Default: ${DEFAULT-VALUE}.")
    double duration;

    @Option(names = "--stations", paramLabel = "N", defaultValue = "24", description = "Stations per step. Default: ${DEFAULT-VALUE}.")
    int stations;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        if (!(duration >= 4 && duration <= 3600)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + duration + " for --duration; allowed: [4, 3600]");
        }
        if (stations < 1 || stations > 10_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + stations + " for --stations; allowed: 1..10000");
        }
        TandemConfig c = configOptions.load().with("rainfall.region=w5", "job.transactional-id-prefix=tandem-w5",
                "kafka.group-id=tandem-w5");
        RainfallStreamBenchmark.Result r = new RainfallStreamBenchmark(c, stations, duration / 2, duration / 2,
                System.err).run();
        System.out.printf(Locale.ROOT, "W5 rainfall job: %d stations on a %s grid, %.1f readings/s sustained (%.2f steps/s); "
                        + "forecast latency (closing reading appended -> emitted) p50 %.0f ms, p99 %.0f ms; visible to read_committed "
                        + "p50 %.0f ms, p99 %.0f ms; from the step's last reading p50 %.0f ms, p99 %.0f ms (%d samples); "
                        + "model v%d%n", r.stations(), r.grid(), r.readingsPerSecond(), r.stepsPerSecond(),
                r.emitP50Ms(), r.emitP99Ms(), r.visibleP50Ms(), r.visibleP99Ms(), r.fromLastP50Ms(), r.fromLastP99Ms(),
                r.latencySamples(), r.modelVersion());
        if (json) {
            JsonOutput.print(System.out, r.toJson());
        }
        return 0;
    }
}
