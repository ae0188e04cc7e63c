package dev.tandem.tools.bench;

import dev.tandem.tools.kafka.Pacer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.demo.RainfallDemo;
import dev.tandem.tools.demo.WeatherSimulator;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.EmbeddedKafka;
import dev.tandem.tools.kafka.WeatherProducer;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.operators.common.Json;
import dev.tandem.tools.flink.JobWatch;
import dev.tandem.tools.flink.LocalFlink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * W5 (WORKLOADS.md): the rainfall job end to end on this machine — a Kafka broker in its own JVM, the job on a Flink
 * mini cluster, SYNTHETIC station readings ({@link WeatherSimulator}, hourly steps) replayed into Kafka.
 * <ol>
 *   <li>Throughput: steps are written as fast as the job takes them for {@code throughputSeconds} (the producer
 *       stays at most {@value #MAX_LEAD_STEPS} steps ahead of the last committed forecast, so there is always a
 *       backlog and it stays bounded). Readings/s sustained = stations × forecasts emitted per second by the
 *       trainer (its {@code emitted_at} clock), over the emissions after the first {@code warmup} forecasts.</li>
 *   <li>Latency: once the backlog is gone, steps are written at half the sustained rate for {@code latencySeconds}.
 *       Forecast latency = the trainer's emission time − the time the reading that closes the step was handed to
 *       the producer: event time passes a step's end when the next step's first reading arrives, so that reading
 *       (not the step's last one) completes the frame. Also reported: until the forecast is visible to a
 *       read_committed reader (adds up to one checkpoint interval), and from the step's last reading (adds the wait
 *       for the next step, 1 / pace).</li>
 * </ol>
 */
public final class RainfallStreamBenchmark {
    /** The figures. */
    public record Result(int stations, String grid, double readingsPerSecond, double stepsPerSecond, long forecasts,
                         double emitP50Ms, double emitP99Ms, double visibleP50Ms, double visibleP99Ms,
                         double fromLastP50Ms, double fromLastP99Ms, long latencySamples, long modelVersion) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", "W5");
            m.put("stations", stations);
            m.put("grid", grid);
            m.put("readings_per_s", round(readingsPerSecond));
            m.put("steps_per_s", round(stepsPerSecond));
            m.put("forecasts", forecasts);
            m.put("forecast_latency_p50_ms", round(emitP50Ms));
            m.put("forecast_latency_p99_ms", round(emitP99Ms));
            m.put("visible_latency_p50_ms", round(visibleP50Ms));
            m.put("visible_latency_p99_ms", round(visibleP99Ms));
            m.put("from_last_reading_p50_ms", round(fromLastP50Ms));
            m.put("from_last_reading_p99_ms", round(fromLastP99Ms));
            m.put("latency_samples", latencySamples);
            m.put("model_version", modelVersion);
            return m;
        }

        private static double round(double v) {
            return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : Double.NaN;
        }
    }

    private record Seen(long step, long emittedAt, long visibleAt, long version, String grid) {
    }

    /** Steps the throughput phase may run ahead of the last forecast a reader has seen. */
    static final int MAX_LEAD_STEPS = 30;
    private final TandemConfig base;
    private final int stations;
    private final double throughputSeconds;
    private final double latencySeconds;
    private final PrintStream err;
    private final Map<Long, Long> lastAppend = new ConcurrentHashMap<>();
    private final Map<Long, Long> closingAppend = new ConcurrentHashMap<>();
    private final List<Seen> seen = new ArrayList<>();

    public RainfallStreamBenchmark(TandemConfig config, int stations, double throughputSeconds, double latencySeconds,
                                   PrintStream err) {
        this.base = config;
        this.stations = stations;
        this.throughputSeconds = throughputSeconds;
        this.latencySeconds = latencySeconds;
        this.err = err;
    }

    public Result run() throws Exception {
        err.println("w5: starting a Kafka broker ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Duration.ofSeconds(60), base.string("local.bind-address"))) {
            TandemConfig c = base.with("kafka.bootstrap-servers=" + kafka.bootstrapServers(), "rainfall.step=1h",
                    "rainfall.allowed-lateness-ms=0", "job.watermark-out-of-orderness-ms=0", "job.source-idle-timeout-ms=0",
                    "kafka.starting-offsets=earliest", "topics.partitions=1", "job.checkpoint-interval-ms=1000");
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                List<NewTopic> topics = new ArrayList<>(RainfallDemo.topics(c));
                topics.add(new NewTopic(c.string("topics.dead-letters"), 1, (short) 1).configs(Map.of("retention.ms", "-1")));
                admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            }
            LocalFlink local = LocalFlink.of(c);
            StreamExecutionEnvironment env = local.environment(null);
            RainfallMain.build(env, c);
            JobClient job = env.executeAsync("tandem-w5");
            err.println("w5: job " + job.getJobID() + " on a Flink mini cluster (REST " + local.restUrl()
                    + "), checkpoints to " + env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
            JobWatch watch = JobWatch.start(local.restUrl(), job.getJobID(), "w5", err);
            WeatherSimulator sim = new WeatherSimulator(stations, -38, -32, 142, 150, 3_600_000L, 0.25, 1);
            long hour = 3_600_000L;
            long t0 = RainfallDemo.SYNTHETIC_START;
            try (CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), List.of(c.string("topics.rain-forecasts")),
                    (topic, value) -> observe(value, hour));
                 WeatherProducer out = new WeatherProducer(kafka.bootstrapServers(), c.string("topics.weather-readings"))) {
                // phase 1: as fast as the producer goes
                err.printf("w5: throughput phase, %.0f s, %d stations per step%n", throughputSeconds, stations);
                long step = 0;
                long end = System.nanoTime() + (long) (throughputSeconds * 1e9);
                while (System.nanoTime() < end) {
                    if (step - 1 - maxStep() > MAX_LEAD_STEPS) { // keep the backlog bounded: the job sets the pace
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(5);
                        continue;
                    }
                    sendStep(out, sim, t0, hour, step++);
                }
                out.flush();
                long phase1Steps = step;
                err.println("w5: " + phase1Steps + " steps written; waiting for the job to work through them ...");
                long target = phase1Steps - 2; // the last step stays open until the next one arrives
                reader.await(() -> maxStep() >= target, Duration.ofSeconds((long) (throughputSeconds * 20 + 120)));
                List<Seen> phase1 = snapshot();
                double stepsPerSecond = rate(phase1);
                err.printf("w5: %d forecasts, %.2f steps/s = %.1f readings/s sustained%n", phase1.size(), stepsPerSecond,
                        stepsPerSecond * stations);
                // phase 2: paced at half the sustained rate
                double pace = Math.max(0.05, stepsPerSecond / 2);
                err.printf("w5: latency phase, %.0f s at %.2f steps/s%n", latencySeconds, pace);
                int before = phase1.size();
                Pacer pacer = new Pacer(pace);
                end = System.nanoTime() + (long) (latencySeconds * 1e9);
                while (System.nanoTime() < end) {
                    sendStep(out, sim, t0, hour, step++);
                    out.flush();
                    pacer.await();
                }
                sendStep(out, sim, t0, hour, step++); // closes the last timed step
                out.flush();
                long lastTimed = step - 2;
                reader.await(() -> maxStep() >= lastTimed, Duration.ofSeconds(120));
                List<Seen> all = snapshot();
                List<Double> emit = new ArrayList<>();
                List<Double> visible = new ArrayList<>();
                List<Double> fromLast = new ArrayList<>();
                long firstTimed = t0 / hour + phase1Steps;
                for (Seen s : all.subList(Math.min(before, all.size()), all.size())) {
                    Long closing = closingAppend.get(s.step);
                    Long last = lastAppend.get(s.step);
                    if (closing != null && last != null && s.step >= firstTimed) {
                        emit.add((double) (s.emittedAt - closing));
                        visible.add((double) (s.visibleAt - closing));
                        fromLast.add((double) (s.emittedAt - last));
                    }
                }
                long version = all.stream().mapToLong(Seen::version).max().orElse(0);
                String grid = all.isEmpty() ? "?" : all.get(0).grid;
                return new Result(stations, grid, stepsPerSecond * stations, stepsPerSecond, all.size(), percentile(emit, 50),
                        percentile(emit, 99), percentile(visible, 50), percentile(visible, 99), percentile(fromLast, 50),
                        percentile(fromLast, 99), emit.size(), version);
            } finally {
                watch.close();
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private void sendStep(WeatherProducer out, WeatherSimulator sim, long t0, long hour, long step) {
        List<WeatherReading> rs = sim.next(t0 + step * hour);
        for (int i = 0; i < rs.size(); i++) {
            out.send(rs.get(i));
            if (i == 0) {
                closingAppend.put(t0 / hour + step - 1, System.currentTimeMillis()); // closes the previous step
            }
        }
        lastAppend.put(t0 / hour + step, System.currentTimeMillis());
    }

    private void observe(byte[] value, long hour) {
        try {
            JsonNode f = Json.mapper().readTree(value);
            long step = f.get("issued_at").asLong() / hour - 1;
            JsonNode g = f.get("grid");
            synchronized (seen) {
                seen.add(new Seen(step, f.get("emitted_at").asLong(), System.currentTimeMillis(),
                        f.get("model_version").asLong(), g.get("rows").asInt() + "x" + g.get("cols").asInt()));
            }
        } catch (Exception e) {
            err.println("w5: cannot read a forecast: " + e.getMessage());
        }
    }

    private long maxStep() {
        synchronized (seen) {
            return seen.stream().mapToLong(s -> s.step - RainfallDemo.SYNTHETIC_START / 3_600_000L).max().orElse(-1);
        }
    }

    private List<Seen> snapshot() {
        synchronized (seen) {
            List<Seen> s = new ArrayList<>(seen);
            s.sort((a, b) -> Long.compare(a.emittedAt, b.emittedAt));
            return s;
        }
    }

    /** Forecasts per second of trainer time, after the first quarter (warm-up: JIT, first allocations). */
    private static double rate(List<Seen> s) {
        if (s.size() < 8) {
            return Double.NaN;
        }
        int from = s.size() / 4;
        double span = (s.get(s.size() - 1).emittedAt - s.get(from).emittedAt) / 1000.0;
        return span > 0 ? (s.size() - 1 - from) / span : Double.NaN;
    }

    static double percentile(List<Double> xs, double p) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i)));
    }
}
