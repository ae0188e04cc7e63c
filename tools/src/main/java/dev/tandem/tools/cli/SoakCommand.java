package dev.tandem.tools.cli;

import dev.tandem.tools.soak.SoakCheck;
import dev.tandem.tools.soak.SoakPlot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem soak}: the demo (both jobs, embedded broker) at a fixed rate for a long time, its memory sampled. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run the demo's two jobs (SYNTHETIC data, embedded Kafka broker in its own JVM) at a fixed rate for",
                "--minutes, with every --new-machine-every-th window sent again from a machine never seen before, and",
                "sample every --every seconds into --samples (CSV): heap in use and live, direct and JavaCPP native",
                "bytes, the resident set of this JVM and of the broker's, the latest checkpoint's size and the job's",
                "restarts. Prints the second-half slopes at the end and draws --plot (PNG). With --replot only draws",
                "the plot of an existing sample file. See docs/SOAK.md."})
final class SoakCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "30", description = "How long. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--samples", paramLabel = "FILE", defaultValue = "soak.csv", description = "The CSV of samples. Default: ${DEFAULT-VALUE}.")
    Path samples;

    @Option(names = "--every", paramLabel = "SECONDS", defaultValue = "10", description = "Sampling interval. Default: ${DEFAULT-VALUE}.")
    double every;

    @Option(names = "--plot", paramLabel = "PNG", description = "Draw the samples into this PNG at the end.")
    Path plot;

    @Option(names = "--replot", description = "Only draw --plot from an existing --samples file.")
    boolean replot;

    @Option(names = "--title", paramLabel = "TEXT", description = "Title of the plot (default: what was run).")
    String title;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "10", description = "Windows per second. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--weather-rate", paramLabel = "N", defaultValue = "12", description = "Weather readings per second. Default: ${DEFAULT-VALUE}.")
    double weatherRate;

    @Option(names = "--new-machine-every", paramLabel = "N", defaultValue = "20",
            description = "Every N-th window is sent again from a new machine name (0: none). Default: ${DEFAULT-VALUE}.")
    int newMachineEvery;

    @Option(names = "--retention-mib", paramLabel = "MIB", defaultValue = "64",
            description = "Most MiB of records kept per topic partition by the broker (retention.bytes; 0: keep every "
                    + "record). Default: ${DEFAULT-VALUE}.")
    long retentionMib;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        if (replot) {
            if (plot == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--replot needs --plot PNG");
            }
            List<long[]> rows = SoakCheck.read(samples);
            SoakPlot.write(rows, title != null ? title : "tandem soak: " + samples.getFileName(), plot);
            print(rows);
            return 0;
        }
        if (!(minutes > 0 && minutes <= 100_000)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + minutes + " for --minutes; allowed: (0, 100000]");
        }
        if (!(every >= 0.5 && every <= 3600)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + every + " for --every; allowed: [0.5, 3600]");
        }
        if (!(rate > 0 && rate <= 10_000) || !(weatherRate > 0 && weatherRate <= 100_000)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid --rate or --weather-rate; allowed: (0, 10000] and (0, 100000]");
        }
        if (newMachineEvery < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + newMachineEvery + " for --new-machine-every; allowed: >= 0");
        }
        if (retentionMib < 0 || retentionMib > 1 << 20) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + retentionMib + " for --retention-mib; allowed: [0, 1048576]");
        }
        List<long[]> rows = dev.tandem.tools.soak.Soak.run(configOptions.load("demo.properties", "soak.properties"), Duration.ofMillis(Math.round(minutes * 60_000)),
                samples, Duration.ofMillis(Math.round(every * 1000)), rate, weatherRate, newMachineEvery, retentionMib,
                true, System.err);
        if (plot != null) {
            SoakPlot.write(rows, title != null ? title : String.format(Locale.ROOT, "tandem soak: %.0f min, %.0f windows/s, %.0f readings/s",
                    minutes, rate, weatherRate), plot);
        }
        print(rows);
        return 0;
    }

    private static void print(List<long[]> rows) {
        Map<String, Double> slopes = SoakCheck.slopes(rows);
        System.out.println("soak: " + rows.size() + " samples over " + (rows.isEmpty() ? 0 : rows.get(rows.size() - 1)[0]) + " s");
        for (var e : slopes.entrySet()) {
            double[] r = SoakCheck.range(rows, e.getKey());
            System.out.printf(Locale.ROOT, "soak: %-24s min %8.1f MB  mean %8.1f MB  max %8.1f MB  second-half slope %+.3f MB/min%n",
                    e.getKey(), r[0] / 1e6, r[1] / 1e6, r[2] / 1e6, e.getValue() / 1e6);
        }
        long[] last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        if (last != null) {
            System.out.println("soak: restarts " + last[SoakCheck.column("restarts")] + ", windows in " + last[SoakCheck.column("windows_in")]
                    + ", predictions " + last[SoakCheck.column("predictions_out")] + ", readings in "
                    + last[SoakCheck.column("readings_in")] + ", forecasts " + last[SoakCheck.column("forecasts_out")]
                    + ", dead letters " + last[SoakCheck.column("dead_letters")]);
        }
    }
}
