package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.tools.bench.W4Benchmark;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.demo.ManifestFeed;
import dev.tandem.tools.demo.SimulatedFleet;
import dev.tandem.operators.gearbox.VibrationWindow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code tandem bench w4}: the end-to-end gearbox job (Kafka → Flink → Kafka) fed as fast as it takes windows. */
@Command(name = "w4", mixinStandardHelpOptions = true,
        description = {"W4: the gearbox job end to end - a Kafka broker (own JVM), the job with its exactly-once Kafka",
                "sinks on a Flink mini cluster, and a replay writing windows as fast as the job takes them (at most",
                "--max-lag unanswered), training on every labelled window. Reports windows/s over the steady-state",
                "interval after --warmup, and p50/p99 latency from the window's Kafka append (LogAppendTime) to its",
                "prediction being produced (read_uncommitted) and visible (read_committed, after the checkpoint).",
                "Windows: SYNTHETIC simulator (4 machines of fleet demo) or --gearbox-data DIR; with --phases, a change",
                "of operating condition: each phase's machines' windows for an equal share of the run, each shuffled.",
                "Reports prequential accuracy of the labelled windows, the fraction made with the base network frozen",
                "(decision stage), and with phases per-phase figures and the recovery after each change."})
final class BenchW4Command implements Callable<Integer> {
    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "30",
            description = "Measured steady-state seconds (after the warm-up). Default: ${DEFAULT-VALUE}.")
    double duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds from the job's first answer to the start of the measurement (JIT, first checkpoints). Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--max-lag", paramLabel = "N", defaultValue = "64",
            description = "Windows written and not yet answered by the job, at most (back-pressure). Default: ${DEFAULT-VALUE}.")
    int maxLag;

    @Option(names = "--pool", paramLabel = "N", defaultValue = "256",
            description = "Distinct windows generated (or read) and encoded once, then replayed round robin (with --phases: per phase). Default: ${DEFAULT-VALUE}.")
    int poolSize;

    @Option(names = "--label-every", paramLabel = "K", defaultValue = "1",
            description = "Simulated windows: every K-th carries its label (1: all). Default: ${DEFAULT-VALUE}.")
    int labelEvery;

    @Option(names = "--channels", paramLabel = "C", defaultValue = "4",
            description = "Channels of a simulated window (its length is replay.window). Default: ${DEFAULT-VALUE}.")
    int channels;

    @Option(names = "--gearbox-data", paramLabel = "DIR",
            description = "Replay windows of a canonical vibration data set (manifest.csv directory) instead of the simulator.")
    Path data;

    @Option(names = "--fleet", paramLabel = "NAME", defaultValue = "gearbox",
            description = "Fleet of the windows of --gearbox-data. Default: ${DEFAULT-VALUE}.")
    String fleet;

    @Option(names = "--phases", paramLabel = "M1,M2[+M3],...",
            description = {"With --gearbox-data: replay in phases, one per comma-separated entry, each the windows of the",
                    "manifest machine(s) named (joined by +), e.g. cwru-1797rpm,cwru-1772rpm: phase k is sent during the",
                    "k-th equal share of warm-up + duration, its windows in a seeded shuffled order (gearbox.seed)."})
    String phaseSpec;

    @Option(names = "--recovery-window", paramLabel = "N", defaultValue = "200",
            description = "With --phases: labelled windows of the sliding accuracy that measures the recovery after a change. Default: ${DEFAULT-VALUE}.")
    int recoveryWindow;

    @Option(names = "--recovery-tolerance", paramLabel = "P", defaultValue = "0.01",
            description = "With --phases: recovered when the sliding accuracy is within P of the accuracy before the change. Default: ${DEFAULT-VALUE}.")
    double recoveryTolerance;

    @Option(names = "--first-n", paramLabel = "N", defaultValue = "0",
            description = "With --phases: also the prequential accuracy over the first N labelled windows of each phase (runs of different speeds compared at equal windows); 0: not. Default: ${DEFAULT-VALUE}.")
    int firstN;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        require(duration > 0 && duration <= 3600, "--duration", duration, "(0, 3600]");
        require(warmup >= 0 && warmup <= 3600, "--warmup", warmup, "[0, 3600]");
        require(maxLag >= 1 && maxLag <= 100_000, "--max-lag", maxLag, "1..100000");
        require(poolSize >= 1 && poolSize <= 10_000, "--pool", poolSize, "1..10000");
        require(labelEvery >= 1, "--label-every", labelEvery, ">= 1");
        require(channels >= 1 && channels <= 64, "--channels", channels, "1..64");
        require(recoveryWindow >= 1 && recoveryWindow <= 100_000, "--recovery-window", recoveryWindow, "1..100000");
        require(recoveryTolerance >= 0 && recoveryTolerance < 1, "--recovery-tolerance", recoveryTolerance, "[0, 1)");
        require(firstN >= 0, "--first-n", firstN, ">= 0");
        List<Set<String>> phaseMachines = parsePhases(phaseSpec);
        require(phaseMachines == null || data != null, "--phases", phaseSpec, "only with --gearbox-data");
        TandemConfig config = configOptions.load().with("kafka.group-id=tandem-w4", "job.transactional-id-prefix=tandem-w4");
        int window = config.integer("replay.window");
        List<VibrationWindow> pool = new ArrayList<>();
        W4Benchmark.Phases phases = null;
        long t = 1_700_000_000_000L;
        if (data != null) {
            ManifestFeed m = new ManifestFeed(data, window, config.integer("replay.hop"), fleet, config.longValue("gearbox.seed"), true);
            if (!m.labels().contains(config.string("gearbox.healthy-class"))) {
                throw new IllegalArgumentException("the data's labels are " + m.labels() + "; name the healthy one with "
                        + "--set gearbox.healthy-class=LABEL");
            }
            config = config.with("gearbox.fleets=" + fleet, "gearbox.classes=" + String.join(",", m.labels()));
            if (phaseMachines == null) {
                for (int i = 0; i < Math.min(poolSize, m.size()); i++) {
                    pool.add(m.next(t + 100L * i));
                }
                System.err.println("w4: " + pool.size() + " windows of " + data + " (classes " + m.labels() + ")");
            } else {
                List<VibrationWindow> all = new ArrayList<>();
                for (int i = 0; i < m.size(); i++) {
                    all.add(m.next(t + 100L * i));
                }
                List<String> names = new ArrayList<>();
                List<Integer> sizes = new ArrayList<>();
                for (Set<String> machines : phaseMachines) {
                    List<VibrationWindow> of = all.stream().filter(w -> machines.contains(w.machine)).limit(poolSize).toList();
                    if (of.isEmpty()) {
                        throw new IllegalArgumentException("no window of machine(s) " + machines + " in " + data
                                + "; its machines: " + all.stream().map(w -> w.machine).distinct().sorted().toList());
                    }
                    pool.addAll(of);
                    names.add(String.join("+", machines));
                    sizes.add(of.size());
                }
                phases = new W4Benchmark.Phases(names, phaseMachines, sizes, config.longValue("gearbox.seed"),
                        recoveryWindow, recoveryTolerance, firstN);
                System.err.println("w4: " + pool.size() + " windows of " + data + " in phases " + names + " " + sizes
                        + " (classes " + m.labels() + ")");
            }
        } else {
            GearboxSimulator sim = new GearboxSimulator(SimulatedFleet.FLEET, channels, window, GearboxSimulator.DEFAULT_RATE,
                    config.longValue("gearbox.seed"));
            String[] machines = {"demo-m1", "demo-m2", "demo-m3", "demo-m4"};
            for (int i = 0; i < poolSize; i++) {
                String machine = machines[i % machines.length];
                boolean broken = machine.equals("demo-m2") || machine.equals("demo-m3");
                String label = i % labelEvery == 0 ? (broken ? SimulatedFleet.BROKEN : SimulatedFleet.HEALTHY) : null;
                pool.add(sim.window(machine, t + 100L * i, broken, label));
            }
            System.err.println("w4: SYNTHETIC windows (simulator): " + poolSize + " of " + channels + "x" + window
                    + ", 4 machines of fleet demo (2 broken), every " + (labelEvery == 1 ? "" : labelEvery + "-th ") + "window labelled");
        }
        try (W4Benchmark bench = new W4Benchmark(config, pool, new W4Benchmark.Settings(warmup, duration, maxLag), phases, System.err)) {
            Map<String, Object> out = bench.run();
            System.out.printf(Locale.ROOT, "W4 %s %s: %.1f windows/s over %.0f s (%s windows, %s labelled, %s trained);"
                            + " latency p50 %s ms p99 %s ms produced, p50 %s ms p99 %s ms visible (checkpoints every %s ms)%n",
                    out.get("backend"), out.get("format"), ((Number) out.get("windows_per_s")).doubleValue(),
                    ((Number) out.get("seconds")).doubleValue(), out.get("windows"), out.get("labelled_windows"),
                    out.get("trained_windows"), out.get("p50_ms"), out.get("p99_ms"), out.get("p50_visible_ms"),
                    out.get("p99_visible_ms"), out.get("checkpoint_interval_ms"));
            System.out.printf(Locale.ROOT, "CPU per window: this JVM %s ms (%s cores busy), broker %s ms; by thread %s%n",
                    out.get("jvm_cpu_ms_per_window"), out.get("jvm_cores_busy"), out.get("broker_cpu_ms_per_window"),
                    out.get("thread_cpu_ms_per_window"));
            if (out.containsKey("os_thread_cpu_ms_per_window")) {
                System.out.println("CPU per window by OS thread (ms): " + out.get("os_thread_cpu_ms_per_window"));
            }
            System.out.printf(Locale.ROOT, "prequential accuracy %s over %s labelled windows, %s of them with the base network frozen"
                            + " (%s freezes, %s unfreezes; first frozen after %s labelled)%s%n",
                    out.get("prequential_accuracy"), out.get("prequential_labelled"), out.get("frozen_fraction"),
                    out.get("freezes"), out.get("unfreezes"), out.get("labelled_before_first_freeze"),
                    out.containsKey("first_n") ? "; over each phase's first " + out.get("first_n") + ": "
                            + out.get("prequential_accuracy_first_n") : "");
            if (out.containsKey("phases")) {
                System.out.println("by phase: " + out.get("phases"));
                System.out.println("CPU by phase: " + out.get("phase_cpu"));
                System.out.println("recovery (sliding " + out.get("recovery_window") + ", within " + out.get("recovery_tolerance")
                        + "): " + out.get("recoveries"));
            }
            if (json) {
                JsonOutput.print(System.out, out);
            }
        }
        return 0;
    }

    /** The machines of each phase of {@code --phases}, or null without it. */
    static List<Set<String>> parsePhases(String spec) {
        if (spec == null) {
            return null;
        }
        List<Set<String>> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (String phase : spec.split(",", -1)) {
            Set<String> machines = new java.util.LinkedHashSet<>();
            for (String m : phase.split("\\+", -1)) {
                String id = m.trim();
                require(!id.isEmpty() && seen.add(id), "--phases", spec, "comma-separated phases of +-joined machine ids, each machine once");
                machines.add(id);
            }
            out.add(machines);
        }
        require(out.size() >= 2, "--phases", spec, "at least two phases");
        return out;
    }
}
