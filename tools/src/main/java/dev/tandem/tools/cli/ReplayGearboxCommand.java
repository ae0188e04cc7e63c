package dev.tandem.tools.cli;

import dev.tandem.tools.kafka.PacedReplay;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.demo.ManifestFeed;
import dev.tandem.tools.kafka.WindowProducer;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.WindowFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem replay gearbox}: cut a manifest's recordings into windows and stream them into a topic. */
@Command(name = "gearbox", mixinStandardHelpOptions = true,
        description = {"Cut the recordings of a canonical vibration data set (manifest.csv + channel CSVs) into windows",
                "(replay.window samples every replay.hop samples, recordings interleaved, seeded) and write them to a",
                "Kafka topic at --rate windows per second: key = machine, timestamp = replay time, value in",
                "gearbox.windows.format (json or binary)."})
final class ReplayGearboxCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Directory holding manifest.csv.")
    Path data;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "gearbox-windows", paramLabel = "T", description = "Topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--rate", defaultValue = "100", paramLabel = "N", description = "Windows per second (> 0). Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--fleet", defaultValue = "gearbox", paramLabel = "NAME", description = "Fleet of the windows. Default: ${DEFAULT-VALUE}.")
    String fleet;

    @Option(names = "--window", paramLabel = "N", description = "Window length in samples (default: replay.window).")
    Integer window;

    @Option(names = "--hop", paramLabel = "N", description = "Hop between windows in samples (default: replay.hop).")
    Integer hop;

    @Option(names = "--format", paramLabel = "F", description = "json or binary (default: gearbox.windows.format).")
    String format;

    @Option(names = "--loops", defaultValue = "1", paramLabel = "N", description = "Passes over the data (>= 1). Default: ${DEFAULT-VALUE}.")
    int loops;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        if (!(rate > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + rate + " for --rate; allowed: > 0");
        }
        if (loops < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + loops + " for --loops; allowed: >= 1");
        }
        TandemConfig c = configOptions.load();
        int w = window != null ? window : c.integer("replay.window");
        int h = hop != null ? hop : c.integer("replay.hop");
        if (w < 8) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + w + " for --window; allowed: >= 8");
        }
        if (h < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + h + " for --hop; allowed: >= 1");
        }
        WindowFormat f = format != null ? WindowFormat.parse(format) : c.windowFormat();
        ManifestFeed feed = new ManifestFeed(data, w, h, fleet, c.longValue("gearbox.seed"), false);
        long total = (long) feed.size() * loops;
        System.err.println("replay: " + feed.size() + " windows of " + w + " samples per pass (classes " + feed.labels()
                + "), " + loops + " pass(es), " + rate + "/s into " + topic + " at " + bootstrap);
        PacedReplay.Source<VibrationWindow> windows = new PacedReplay.Source<>() {
            private int pass;
            private ManifestFeed current = feed;

            @Override
            public VibrationWindow next() throws java.io.IOException {
                VibrationWindow v = current.next(System.currentTimeMillis()); // timestamp = replay time
                while (v == null && ++pass < loops) {
                    current = new ManifestFeed(data, w, h, fleet, c.longValue("gearbox.seed") + pass, false);
                    v = current.next(System.currentTimeMillis());
                }
                return v;
            }
        };
        PacedReplay.Result r;
        try (WindowProducer out = new WindowProducer(bootstrap, topic, f,
                dev.tandem.job.kafka.KafkaClientSecurity.properties(c))) {
            r = PacedReplay.run(out, windows, total, rate, "windows");
        }
        PacedReplay.report(r, "windows", topic, json, Map.of());
        return 0;
    }
}
