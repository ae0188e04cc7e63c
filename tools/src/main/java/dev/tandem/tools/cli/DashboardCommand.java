package dev.tandem.tools.cli;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.dashboard.Dashboard;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code tandem dashboard}: the jobs' outputs live in the browser. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Serve a page (on local.bind-address, 127.0.0.1 by default; port dashboard.port) that shows the",
                "jobs' committed outputs live: rainfall forecast maps, the fault-alert feed, prediction mixes, learning",
                "curves and dead letters (read_committed from Kafka; server-sent events). Read-only. Runs until Ctrl-C",
                "or --duration. See docs/DASHBOARD.md."})
final class DashboardCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka brokers (default: kafka.bootstrap-servers of the configuration).")
    String bootstrap;

    @Option(names = "--flink-rest", paramLabel = "URL",
            description = "Flink's REST address (e.g. http://127.0.0.1:8081) for the trainers' loss and model-version "
                    + "metrics; without it the curves come from the records alone.")
    String flinkRest;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop after this many seconds (0: run until Ctrl-C). Default: ${DEFAULT-VALUE}.")
    int duration;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        if (duration < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + duration + " for --duration; allowed: >= 0");
        }
        if (flinkRest != null && !flinkRest.matches("https?://.+")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value '" + flinkRest
                    + "' for --flink-rest; allowed: an http:// or https:// URL");
        }
        TandemConfig c = configOptions.load();
        String brokers = bootstrap != null ? bootstrap : c.string("kafka.bootstrap-servers");
        Dashboard dashboard = Dashboard.start(c, brokers, flinkRest);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            dashboard.close();
            stopped.countDown();
        }, "tandem-dashboard-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getErr().println("dashboard: reading " + brokers + " (read_committed)"
                + (flinkRest == null ? "" : ", metrics from " + flinkRest));
        spec.commandLine().getOut().println("dashboard: " + dashboard.url());
        spec.commandLine().getOut().flush();
        if (duration > 0) {
            if (!stopped.await(duration, java.util.concurrent.TimeUnit.SECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                dashboard.close();
            }
        } else {
            stopped.await();
        }
        return 0;
    }
}
