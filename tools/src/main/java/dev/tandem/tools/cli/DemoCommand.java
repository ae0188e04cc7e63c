package dev.tandem.tools.cli;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.dashboard.Dashboard;
import dev.tandem.tools.demo.GearboxDemo;
import dev.tandem.tools.demo.ManifestFeed;
import dev.tandem.tools.demo.RainfallDemo;
import dev.tandem.tools.demo.SimulatedFleet;
import dev.tandem.tools.demo.WindowFeed;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem demo}: the whole gearbox pipeline on this machine, with a real Kafka broker. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a Kafka broker (KRaft, own JVM, temporary folder, free ports), create the topics, run the",
                "gearbox job on a Flink mini cluster, replay windows into it and print a live summary until Ctrl-C or",
                "--duration. Without --gearbox-data the windows come from a SYNTHETIC gearbox simulator; a few",
                "malformed records are injected so the dead-letter path is visible. The rainfall job runs beside it on",
                "SYNTHETIC weather (or --weather-data FILE). The dashboard page (docs/DASHBOARD.md) is served at the",
                "printed address unless --no-dashboard. Everything started is stopped."})
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop after this many seconds (0: run until Ctrl-C). Default: ${DEFAULT-VALUE}.")
    int duration;

    @Option(names = "--json", description = "End with one JSON object of counts on the last line of standard output.")
    boolean json;

    @Option(names = "--gearbox-data", paramLabel = "DIR",
            description = "Replay a canonical vibration data set (manifest.csv directory) instead of the simulator.")
    Path data;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "20",
            description = "Windows per second written to Kafka. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--channels", paramLabel = "C", defaultValue = "4",
            description = "Channels of a simulated window. Default: ${DEFAULT-VALUE}.")
    int channels;

    @Option(names = "--fleet", paramLabel = "NAME", defaultValue = "gearbox",
            description = "Fleet of the windows replayed from --gearbox-data. Default: ${DEFAULT-VALUE}.")
    String fleet;

    @Option(names = "--weather-data", paramLabel = "FILE",
            description = "Replay a canonical weather CSV into the rainfall job instead of the SYNTHETIC weather simulator.")
    Path weatherData;

    @Option(names = "--weather-rate", paramLabel = "N", defaultValue = "12",
            description = "Weather readings per second written to Kafka. Default: ${DEFAULT-VALUE}.")
    double weatherRate;

    @Option(names = "--no-rainfall", description = "Run the gearbox job alone.")
    boolean noRainfall;

    @Option(names = "--no-dashboard", description = "Do not serve the dashboard page (docs/DASHBOARD.md).")
    boolean noDashboard;

    @Mixin
    ConfigOptions configOptions;

    private volatile Dashboard dashboard;

    @Override
    public Integer call() throws Exception {
        if (duration < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + duration + " for --duration; allowed: >= 0");
        }
        if (!(rate > 0 && rate <= 10_000)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + rate + " for --rate; allowed: (0, 10000]");
        }
        if (channels < 1 || channels > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + channels + " for --channels; allowed: 1..64");
        }
        if (!(weatherRate > 0 && weatherRate <= 100_000)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + weatherRate + " for --weather-rate; allowed: (0, 100000]");
        }
        if (weatherData != null && noRainfall) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--weather-data and --no-rainfall exclude each other");
        }
        TandemConfig config = configOptions.load("demo.properties");
        int window = config.integer("replay.window");
        WindowFeed feed;
        if (data != null) {
            ManifestFeed m = new ManifestFeed(data, window, config.integer("replay.hop"), fleet, config.longValue("gearbox.seed"), true);
            List<String> sets = new ArrayList<>(List.of("gearbox.fleets=" + fleet, "gearbox.classes=" + String.join(",", m.labels())));
            if (!m.labels().contains(config.string("gearbox.healthy-class"))) {
                throw new IllegalArgumentException("the data's labels are " + m.labels() + "; name the healthy one with "
                        + "--set gearbox.healthy-class=LABEL");
            }
            config = config.with(sets.toArray(new String[0]));
            feed = m;
            System.err.println("demo: replaying " + m.size() + " windows of " + data + " (classes " + m.labels() + "), looping");
        } else {
            feed = new SimulatedFleet(channels, window, 15_000, 35_000, config.longValue("gearbox.seed"));
            System.err.println("demo: SYNTHETIC gearbox data (simulator): fleet demo, 4 machines, " + channels + "x" + window
                    + " windows; demo-m2 breaks a tooth at 15 s, demo-m3 is repaired at 35 s");
        }
        GearboxDemo demo = new GearboxDemo(config, feed, rate, System.err);
        if (!noRainfall) {
            RainfallDemo rain = weatherData != null ? RainfallDemo.fromCsv(weatherData, weatherRate, System.err)
                    : RainfallDemo.synthetic(config.longValue("rainfall.seed"), weatherRate, System.err);
            if (weatherData != null && config.string("rainfall.step").equals("1h")) {
                System.err.println("demo: note: rainfall.step is 1h (demo.properties); daily data wants --set rainfall.step=1d");
            }
            demo.withRainfall(rain);
        }
        Thread hook = new Thread(() -> {
            closeDashboard();
            demo.close();
            System.err.println("demo: stopped (interrupted); " + demo.summaryLine());
            if (json) {
                JsonOutput.print(System.out, demo.counts());
            }
        }, "tandem-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            TandemConfig effective = demo.start();
            if (!noDashboard) {
                dashboard = Dashboard.start(effective, effective.string("kafka.bootstrap-servers"), demo.restUrl());
                System.err.println("demo: dashboard at " + dashboard.url() + " (open it in a browser)");
            }
            long end = duration == 0 ? Long.MAX_VALUE : System.nanoTime() + duration * 1_000_000_000L;
            long nextLine = 0;
            while (System.nanoTime() < end && !demo.feedDone()) {
                if (System.nanoTime() >= nextLine) {
                    System.err.println(demo.summaryLine());
                    nextLine = System.nanoTime() + 5_000_000_000L;
                }
                Thread.sleep(200);
            }
            System.err.println("demo: stopping the replay, waiting for the last checkpoint's output ...");
            demo.drain(Duration.ofMillis(3L * config.integer("job.checkpoint-interval-ms") + 15_000));
            System.err.println(demo.summaryLine());
            Map<String, Object> counts = demo.counts();
            closeDashboard();
            demo.close();
            Runtime.getRuntime().removeShutdownHook(hook);
            System.out.println("windows in " + counts.get("windows_in") + ", predictions out " + counts.get("predictions_out")
                    + ", alerts out " + counts.get("alerts_out") + ", dead letters " + counts.get("dead_letters")
                    + (counts.containsKey("readings_in") ? ", readings in " + counts.get("readings_in") + ", forecasts out "
                    + counts.get("forecasts_out") : ""));
            if (json) {
                JsonOutput.print(System.out, counts);
            }
            return 0;
        } catch (Exception e) {
            closeDashboard();
            demo.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down
            }
            throw e;
        }
    }

    private void closeDashboard() {
        Dashboard d = dashboard;
        dashboard = null;
        if (d != null) {
            d.close();
        }
    }
}
