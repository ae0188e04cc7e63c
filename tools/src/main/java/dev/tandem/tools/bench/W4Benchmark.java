package dev.tandem.tools.bench;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.kafka.EmbeddedKafka;
import dev.tandem.tools.kafka.WindowProducer;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.tools.flink.JobWatch;
import dev.tandem.tools.flink.LocalFlink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W4 (WORKLOADS.md): the end-to-end gearbox job fed as fast as it takes windows. A real Kafka broker in its own JVM
 * ({@link EmbeddedKafka}), the gearbox job exactly as {@code GearboxMain} builds it (Kafka source, exactly-once
 * Kafka sinks, checkpoints) on a Flink mini cluster in this JVM, and a replay thread that writes windows from a
 * pool of pre-encoded ones (so generating and encoding windows does not limit the rate) with back-pressure: at most
 * {@code maxLag} windows are written and not yet answered by an output record, so the topic's lag stays bounded and
 * the rate measured is the job's.
 *
 * <p>Latency: each window is sent with its event time set to the moment of sending ({@link StampedWindows}); the
 * job runs on event time and its sinks write each prediction with its window's time as the record timestamp. Two
 * probes read the predictions: {@code read_uncommitted} (the prediction produced by the job: appended to the output
 * topic inside the open transaction) and {@code read_committed} (visible to downstream readers, after the
 * checkpoint commits). Latency = arrival at the probe − the window's send time, same host clock (so it includes
 * the producer's batching and the append, a little more than from the broker's append).
 *
 * <p>Steady state: throughput counts the predictions produced in [warm-up, warm-up + seconds) (wall clock from the
 * job's first answer); latencies are those of the windows appended in that interval. CPU time per window over the
 * same interval comes from {@link CpuMeter}.
 */
public final class W4Benchmark implements AutoCloseable {
    /** Warm-up and measured seconds, the bound on unanswered windows, and how long to wait for the last commit. */
    public record Settings(double warmupSeconds, double seconds, int maxLag) {
    }

    /**
     * A replay in phases (a change of operating condition): the pool holds phase 0's windows, then phase 1's, ...
     * ({@code sizes}); phase p is sent during its equal share of the run (warm-up + measured seconds, from the job's
     * first answer), its windows in a seeded shuffled order ({@link PhaseOrder}); a prediction belongs to the phase
     * whose {@code machines} hold its machine. {@code recoveryWindow} and {@code tolerance}: the recovery after a
     * change ({@link Prequential}); {@code firstN} &gt; 0: the accuracy over each phase's first N labelled windows too.
     */
    public record Phases(List<String> names, List<java.util.Set<String>> machines, List<Integer> sizes, long seed,
                         int recoveryWindow, double tolerance, int firstN) {
        public Phases {
            if (names.size() != machines.size() || names.size() != sizes.size() || names.isEmpty()) {
                throw new IllegalArgumentException("phases: names, machines and sizes differ in number");
            }
        }

        /** The phase of a machine, or -1. */
        int phaseOf(String machine) {
            for (int p = 0; p < machines.size(); p++) {
                if (machines.get(p).contains(machine)) {
                    return p;
                }
            }
            return -1;
        }
    }

    private final TandemConfig config;
    private final List<VibrationWindow> pool;
    private final Settings settings;
    private final Phases phases;
    private final PrintStream err;
    /** Wall-clock ms of the job's first answer (0 before it): the replay's phases count from there. */
    private volatile long runStartMs;
    private final AtomicBoolean replaying = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private EmbeddedKafka kafka;
    private JobClient job;
    private JobWatch watch;
    private OutputProbe produced;
    private OutputProbe visible;
    private Thread replay;
    private volatile Exception replayFailure;

    public W4Benchmark(TandemConfig config, List<VibrationWindow> pool, Settings settings, PrintStream err) {
        this(config, pool, settings, null, err);
    }

    /** @param phases null: the pool replayed round robin (the default W4) */
    public W4Benchmark(TandemConfig config, List<VibrationWindow> pool, Settings settings, Phases phases, PrintStream err) {
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("no windows to replay");
        }
        if (phases != null && phases.sizes().stream().mapToInt(Integer::intValue).sum() != pool.size()) {
            throw new IllegalArgumentException("the phases' sizes do not add up to the pool's " + pool.size());
        }
        this.config = config;
        this.pool = pool;
        this.settings = settings;
        this.phases = phases;
        this.err = err;
    }

    /** Runs the benchmark and returns the figures of the JSON line. */
    public Map<String, Object> run() throws Exception {
        err.println("w4: starting a Kafka broker (KRaft, own JVM) ...");
        kafka = EmbeddedKafka.start(Duration.ofSeconds(60), config.string("local.bind-address"));
        TandemConfig c = config.with("kafka.bootstrap-servers=" + kafka.bootstrapServers());
        createTopics(c);
        String predictions = c.string("topics.gearbox-predictions");
        Semaphore window = new Semaphore(settings.maxLag());
        produced = new OutputProbe(kafka.bootstrapServers(), false, List.of(predictions, c.string("topics.dead-letters")),
                n -> window.release((int) n));
        visible = new OutputProbe(kafka.bootstrapServers(), true, List.of(predictions), null);

        LocalFlink local = LocalFlink.of(c);
        StreamExecutionEnvironment env = local.environment(null);
        GearboxMain.build(env, c);
        job = env.executeAsync("tandem-w4");
        watch = JobWatch.start(local.restUrl(), job.getJobID(), "w4", err);
        String backend = Backends.choose(c.string("compute.backend")).backend().name();
        int interval = c.integer("job.checkpoint-interval-ms");
        err.printf(Locale.ROOT, "w4: job %s on a Flink mini cluster (backend %s, checkpoints every %d ms, format %s); "
                        + "replaying %d pre-encoded windows %s, at most %d unanswered%n", job.getJobID(), backend,
                interval, c.string("gearbox.windows.format"), pool.size(),
                phases == null ? "round robin" : "in phases " + phases.names() + " " + phases.sizes() + " (each shuffled, seed "
                        + phases.seed() + ")", settings.maxLag());

        StampedWindows values = new StampedWindows(pool, c.windowFormat(), System.currentTimeMillis());
        replay = new Thread(() -> replay(c, values, window), "tandem-w4-replay");
        replay.setDaemon(true);
        long replayStart = System.currentTimeMillis();
        replay.start();
        // The warm-up counts from the first answer: job start-up (tasks deployed, first model built) is not warm-up.
        long firstDeadline = replayStart + 300_000;
        while (produced.outputs() == 0) {
            checkReplay();
            if (System.currentTimeMillis() > firstDeadline) {
                throw new IllegalStateException("no output from the job within 300 s of the first window");
            }
            Thread.sleep(50);
        }
        long start = System.currentTimeMillis();
        runStartMs = start;
        err.printf(Locale.ROOT, "w4: first answer %.1f s after the first window; warm-up %.0f s, then %.0f s measured%n",
                (start - replayStart) / 1000.0, settings.warmupSeconds(), settings.seconds());

        long t0 = start + Math.round(settings.warmupSeconds() * 1000);
        long t1 = t0 + Math.round(settings.seconds() * 1000);
        long nextLine = start;
        long lastOut = 0;
        long lastLine = start;
        CpuMeter cpu = new CpuMeter(kafka.pid());
        boolean metering = false;
        long totalMs = t1 - start;
        int phaseCount = phases == null ? 1 : phases.names().size();
        List<Map<String, Object>> phaseCpu = new java.util.ArrayList<>();
        CpuMeter phaseMeter = null;
        long phaseFrom = 0;
        int meteredPhase = -1;
        while (System.currentTimeMillis() < t1) {
            checkReplay();
            long now = System.currentTimeMillis();
            if (!metering && now >= t0) {
                cpu.start();
                metering = true;
            }
            if (phaseCount > 1 && metering) {
                int p = PhaseOrder.phaseAt(now - start, totalMs, phaseCount);
                if (p != meteredPhase) {
                    if (phaseMeter != null) {
                        phaseCpu.add(phaseCpu(phaseMeter, meteredPhase, phaseFrom, now));
                    }
                    phaseMeter = new CpuMeter(kafka.pid());
                    phaseMeter.start();
                    phaseFrom = now;
                    meteredPhase = p;
                }
            }
            if (now >= nextLine) {
                long out = produced.outputs();
                err.printf(Locale.ROOT, "w4: %5.1fs %s  windows sent %d  outputs %d (%.0f/s)  visible predictions %d%n",
                        (now - start) / 1000.0, now < t0 ? "warm-up " : "measure ", sent.get(), out,
                        (out - lastOut) * 1000.0 / Math.max(1, now - lastLine), visible.seen().size());
                lastOut = out;
                lastLine = now;
                nextLine = now + 5000;
            }
            Thread.sleep(Math.min(200, Math.max(1, Math.min(t1, metering ? t1 : t0) - now)));
        }
        if (!metering) {
            cpu.start();
        }
        Map<String, Object> cpuFigures = cpu.stop(produced.seen().stream().filter(s -> s.arrivedMs() >= t0 && s.arrivedMs() < t1).count());
        if (phaseMeter != null) {
            phaseCpu.add(phaseCpu(phaseMeter, meteredPhase, phaseFrom, System.currentTimeMillis()));
        }
        // Keep feeding until a prediction of a window appended after t1 is visible: with one writer and one
        // transaction per checkpoint, every earlier prediction has then been committed too.
        long deadline = System.currentTimeMillis() + 3L * interval + 30_000;
        while (visible.maxSourceMs() < t1 && System.currentTimeMillis() < deadline) {
            checkReplay();
            Thread.sleep(50);
        }
        Thread.sleep(500);
        replaying.set(false);
        replay.join(5000);
        Map<String, Object> out = figures(c, backend, interval, t0, t1);
        out.putAll(cpuFigures);
        if (!phaseCpu.isEmpty()) {
            out.put("phase_cpu", phaseCpu);
        }
        return out;
    }

    /** CPU per window of one phase's metered stretch [from, to) (windows: predictions arrived in it). */
    private Map<String, Object> phaseCpu(CpuMeter meter, int phase, long from, long to) {
        long n = produced.seen().stream().filter(s -> s.arrivedMs() >= from && s.arrivedMs() < to).count();
        Map<String, Object> m = meter.stop(n);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phase", phases.names().get(phase));
        out.put("seconds", (to - from) / 1000.0);
        out.put("windows", n);
        out.put("jvm_cpu_ms_per_window", m.get("jvm_cpu_ms_per_window"));
        out.put("broker_cpu_ms_per_window", m.get("broker_cpu_ms_per_window"));
        out.put("thread_cpu_ms_per_window", m.get("thread_cpu_ms_per_window"));
        return out;
    }

    private void checkReplay() {
        if (replayFailure != null) {
            throw new IllegalStateException("replay failed: " + replayFailure.getMessage(), replayFailure);
        }
    }

    private void createTopics(TandemConfig c) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        int partitions = c.integer("topics.partitions");
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(
                    new NewTopic(c.string("topics.gearbox-windows"), partitions, (short) 1)
                            .configs(Map.of("max.message.bytes", "8388608", "message.timestamp.type", "LogAppendTime")),
                    new NewTopic(c.string("topics.gearbox-predictions"), partitions, (short) 1),
                    new NewTopic(c.string("topics.gearbox-alerts"), partitions, (short) 1),
                    new NewTopic(c.string("topics.dead-letters"), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private void replay(TandemConfig c, StampedWindows values, Semaphore window) {
        try (WindowProducer out = new WindowProducer(kafka.bootstrapServers(), c.string("topics.gearbox-windows"), c.windowFormat())) {
            PhaseOrder order = phases == null ? PhaseOrder.roundRobin(values.size())
                    : new PhaseOrder(phases.sizes(), phases.seed(), true);
            long totalMs = Math.round((settings.warmupSeconds() + settings.seconds()) * 1000);
            while (replaying.get()) {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                long now = System.currentTimeMillis();
                long startMs = runStartMs;
                int i = order.next(PhaseOrder.phaseAt(startMs == 0 ? -1 : now - startMs, totalMs, order.phases()));
                out.sendRaw(values.window(i).machine, values.encode(i, now), now);
                sent.incrementAndGet();
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            replayFailure = e;
        }
    }

    private Map<String, Object> figures(TandemConfig c, String backend, int interval, long t0, long t1) {
        List<OutputProbe.Seen> all = produced.seen();
        List<OutputProbe.Seen> inInterval = all.stream().filter(s -> s.arrivedMs() >= t0 && s.arrivedMs() < t1).toList();
        long[] producedLatency = latencies(all.stream().filter(s -> s.sourceMs() >= t0 && s.sourceMs() < t1).toList());
        long[] visibleLatency = latencies(visible.seen().stream().filter(s -> s.sourceMs() >= t0 && s.sourceMs() < t1).toList());
        double seconds = (t1 - t0) / 1000.0;
        long labelled = inInterval.stream().filter(OutputProbe.Seen::labelled).count();
        long vMin = inInterval.stream().mapToLong(OutputProbe.Seen::modelVersion).min().orElse(0);
        long vMax = inInterval.stream().mapToLong(OutputProbe.Seen::modelVersion).max().orElse(0);
        int batch = c.integer("gearbox.batch");
        long steps = vMax - vMin;
        long totalLabelled = all.stream().filter(OutputProbe.Seen::labelled).count();
        long finalVersion = all.stream().mapToLong(OutputProbe.Seen::modelVersion).max().orElse(0);
        VibrationWindow first = pool.get(0);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", "W4");
        out.put("windows_per_s", Math.round(inInterval.size() / seconds * 10) / 10.0);
        out.put("p50_ms", percentile(producedLatency, 0.50));
        out.put("p99_ms", percentile(producedLatency, 0.99));
        out.put("p50_visible_ms", percentile(visibleLatency, 0.50));
        out.put("p99_visible_ms", percentile(visibleLatency, 0.99));
        out.put("windows", inInterval.size());
        out.put("labelled_windows", labelled);
        // optimizer steps taken while the interval's windows were predicted, times the mini-batch
        out.put("trained_windows", steps * batch);
        out.put("training_steps", steps);
        out.put("seconds", seconds);
        out.put("warmup_seconds", settings.warmupSeconds());
        out.put("backend", backend);
        out.put("checkpoint_interval_ms", interval);
        out.put("format", c.string("gearbox.windows.format"));
        out.put("window", first.channelCount() + "x" + first.length());
        out.put("batch", batch);
        out.put("max_lag", settings.maxLag());
        out.put("latency_from", "the window's event time, set at its send to " + c.string("topics.gearbox-windows"));
        out.put("latency_samples", producedLatency.length);
        out.put("visible_latency_samples", visibleLatency.length);
        out.put("windows_sent", sent.get());
        out.put("predictions_total", all.size());
        out.put("labelled_total", totalLabelled);
        out.put("trained_total", finalVersion * batch);
        out.put("dead_letters", produced.others());
        if (!produced.otherReasons().isEmpty()) {
            out.put("dead_letter_reasons", produced.otherReasons());
        }
        out.putAll(prequential(inInterval));
        return out;
    }

    /**
     * The prequential figures of the interval's labelled predictions, in the order their windows were sent (their
     * record time; the probe's arrival order breaks ties).
     */
    private Map<String, Object> prequential(List<OutputProbe.Seen> inInterval) {
        List<OutputProbe.Seen> labelled = new java.util.ArrayList<>(inInterval.stream().filter(OutputProbe.Seen::labelled).toList());
        labelled.sort(java.util.Comparator.comparingLong(OutputProbe.Seen::sourceMs)); // stable
        List<Prequential.Outcome> outcomes = new java.util.ArrayList<>();
        long unknown = 0;
        for (OutputProbe.Seen s : labelled) {
            int p = phases == null ? 0 : phases.phaseOf(s.machine());
            if (p < 0) {
                unknown++;
                continue;
            }
            outcomes.add(new Prequential.Outcome(p, s.correct(), s.frozen()));
        }
        List<String> names = phases == null ? List.of("all") : phases.names();
        Map<String, Object> out = Prequential.figures(outcomes, names, phases == null ? 200 : phases.recoveryWindow(),
                phases == null ? 0.01 : phases.tolerance(), phases == null ? 0 : phases.firstN());
        if (unknown > 0) {
            out.put("labelled_of_no_phase", unknown);
        }
        return out;
    }

    private static long[] latencies(List<OutputProbe.Seen> seen) {
        long[] l = seen.stream().mapToLong(OutputProbe.Seen::latencyMs).toArray();
        Arrays.sort(l);
        return l;
    }

    /** Nearest-rank percentile (ms); null when there are no samples. */
    static Long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    @Override
    public void close() {
        replaying.set(false);
        if (watch != null) {
            watch.close();
        }
        if (job != null) {
            try {
                job.cancel().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                err.println("w4: cancelling the job: " + e.getMessage());
            }
        }
        for (OutputProbe p : new OutputProbe[] {produced, visible}) {
            if (p != null) {
                try {
                    p.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
