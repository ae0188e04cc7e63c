package dev.tandem.tools.demo;

import dev.tandem.tools.kafka.Pacer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.EmbeddedKafka;
import dev.tandem.tools.kafka.WindowProducer;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.VibrationWindow;
import org.apache.flink.configuration.Configuration;
import dev.tandem.tools.flink.JobWatch;
import dev.tandem.tools.flink.LocalFlink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded mode: a real Kafka broker in its own JVM ({@link EmbeddedKafka}), the topics, the gearbox job on a
 * Flink mini cluster in this JVM, a replay thread writing windows (and a few malformed records) at a fixed rate, and
 * a read_committed reader that counts what the job publishes. {@link #close} stops all of it (also on Ctrl-C,
 * through a shutdown hook) and leaves no process behind.
 */
public final class GearboxDemo implements AutoCloseable {
    /** Malformed records injected once every this many windows (the dead-letter path made visible). */
    public static final int MALFORMED_EVERY = 100;

    private final TandemConfig config;
    private final WindowFeed feed;
    private final double rate;
    private final PrintStream err;
    private EmbeddedKafka kafka;
    private JobClient job;
    private JobWatch watch;
    private CommittedReader reader;
    private Thread replay;
    private final AtomicBoolean replaying = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong windowsIn = new AtomicLong();
    private final AtomicLong malformedIn = new AtomicLong();
    private final AtomicLong labelledOut = new AtomicLong();
    private final AtomicLong correctOut = new AtomicLong();
    private final ArrayDeque<Boolean> recent = new ArrayDeque<>();
    private final AtomicLong modelVersion = new AtomicLong();
    private volatile boolean feedDone;
    private volatile long started = System.nanoTime();
    private RainfallDemo rain;
    private long retentionMib;
    private volatile String restUrl;
    private int newMachineEvery;

    public GearboxDemo(TandemConfig config, WindowFeed feed, double rate, PrintStream err) {
        this.config = config;
        this.feed = feed;
        this.rate = rate;
        this.err = err;
    }

    /** The embedded broker's process id (its own JVM), or -1 before {@link #start}. */
    public long kafkaPid() {
        return kafka == null ? -1 : kafka.pid();
    }

    /** The mini cluster's REST address (the dashboard reads the trainers' metrics there), or null before {@link #start}. */
    public String restUrl() {
        return restUrl;
    }

    /** The watch on the running job (restarts, checkpoint sizes), or null before {@link #start}. */
    public JobWatch watch() {
        return watch;
    }

    /**
     * Every n-th window (0: none) is sent again as the window of a machine never seen before ({@code soak-<n>}),
     * so that keyed state meets ever-new names, as in a fleet that keeps growing (the soak, docs/SOAK.md).
     */
    public GearboxDemo withNewMachineEvery(int n) {
        this.newMachineEvery = n;
        return this;
    }

    /** Runs the rainfall job beside the gearbox job (same broker, same Flink job), fed by {@code rainfall}. */
    /**
     * Keep at most {@code mib} MiB per partition of every topic the demo creates (Kafka {@code retention.bytes},
     * segments of an eighth of that so old ones can go): a long run's broker then holds a bounded log instead of
     * every record (time retention stays off: the synthetic readings' event times run ahead of the clock).
     * 0 keeps everything (the default).
     */
    public GearboxDemo withRetentionMib(long mib) {
        this.retentionMib = mib;
        return this;
    }

    private Map<String, String> retained(Map<String, String> configs) {
        if (retentionMib <= 0) {
            return configs;
        }
        Map<String, String> m = new java.util.HashMap<>(configs);
        long bytes = retentionMib << 20;
        m.put("retention.bytes", Long.toString(bytes));
        m.put("segment.bytes", Long.toString(Math.max(1 << 20, bytes / 8)));
        m.put("retention.ms", "-1");
        return m;
    }

    public GearboxDemo withRainfall(RainfallDemo rainfall) {
        this.rain = rainfall;
        return this;
    }

    /** Starts broker, topics, job, reader and replay; returns the effective configuration. */
    public TandemConfig start() throws Exception {
        err.println("demo: starting a Kafka broker (KRaft, own JVM) ...");
        kafka = EmbeddedKafka.start(Duration.ofSeconds(60), config.string("local.bind-address"));
        err.println("demo: Kafka at " + kafka.bootstrapServers() + " (pid " + kafka.pid() + ", data in " + kafka.directory() + ")");
        TandemConfig c = config.with("kafka.bootstrap-servers=" + kafka.bootstrapServers());
        createTopics(c);
        LocalFlink local = LocalFlink.of(c);
        Configuration flink = new Configuration();
        if (rain != null) {
            // one Flink job holds both pipelines: unaligned checkpoints let a barrier pass the rainfall trainer's queue,
            // so a busy forecaster does not hold back the gearbox outputs' commits
            flink.set(org.apache.flink.configuration.CheckpointingOptions.ENABLE_UNALIGNED, true);
        }
        StreamExecutionEnvironment env = local.environment(flink);
        GearboxMain.build(env, c);
        if (rain != null) {
            RainfallMain.attach(env, c);
        }
        job = env.executeAsync(rain == null ? "tandem-gearbox-demo" : "tandem-demo");
        err.println("demo: gearbox job " + job.getJobID() + " running on a Flink mini cluster; checkpoints every "
                + c.integer("job.checkpoint-interval-ms") + " ms to "
                + env.getConfiguration().get(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                + "; REST " + local.restUrl());
        restUrl = local.restUrl();
        watch = JobWatch.start(local.restUrl(), job.getJobID(), "demo", err);
        List<String> outputs = new java.util.ArrayList<>(List.of(c.string("topics.gearbox-predictions"),
                c.string("topics.gearbox-alerts"), c.string("topics.dead-letters")));
        if (rain != null) {
            err.println("demo: rainfall job beside it: " + rain.description() + "; forecasts to " + c.string("topics.rain-forecasts"));
            outputs.add(c.string("topics.rain-forecasts"));
        }
        reader = new CommittedReader(kafka.bootstrapServers(), outputs, (topic, value) -> observe(c, topic, value));
        started = System.nanoTime();
        replay = new Thread(() -> replay(c), "tandem-demo-replay");
        replay.setDaemon(true);
        replay.start();
        if (rain != null) {
            rain.start(kafka.bootstrapServers(), c);
        }
        return c;
    }

    private void createTopics(TandemConfig c) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        int partitions = c.integer("topics.partitions");
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(
                    new NewTopic(c.string("topics.gearbox-windows"), partitions, (short) 1)
                            .configs(retained(Map.of("max.message.bytes", "8388608"))),
                    new NewTopic(c.string("topics.gearbox-predictions"), partitions, (short) 1).configs(retained(Map.of())),
                    new NewTopic(c.string("topics.gearbox-alerts"), partitions, (short) 1).configs(retained(Map.of())),
                    new NewTopic(c.string("topics.dead-letters"), 1, (short) 1)
                            .configs(retained(rain == null ? Map.of() : Map.of("retention.ms", "-1"))))).all().get(30, TimeUnit.SECONDS);
            if (rain != null) {
                List<NewTopic> rainTopics = RainfallDemo.topics(c);
                for (NewTopic t : rainTopics) {
                    t.configs(retained(t.configs()));
                }
                admin.createTopics(rainTopics).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private void replay(TandemConfig c) {
        try (WindowProducer out = new WindowProducer(kafka.bootstrapServers(), c.string("topics.gearbox-windows"), c.windowFormat())) {
            Pacer pacer = new Pacer(rate);
            long n = 0;
            while (replaying.get()) {
                long now = System.currentTimeMillis();
                VibrationWindow w = feed.next(now);
                if (w == null) {
                    feedDone = true;
                    break;
                }
                out.send(w);
                windowsIn.incrementAndGet();
                if (newMachineEvery > 0 && n % newMachineEvery == newMachineEvery - 1) {
                    VibrationWindow fresh = copy(w);
                    fresh.machine = "soak-" + n;
                    out.send(fresh);
                    windowsIn.incrementAndGet();
                }
                if (++n % MALFORMED_EVERY == 1) {
                    injectMalformed(out, w, n / MALFORMED_EVERY);
                }
                pacer.await();
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            err.println("demo: replay stopped: " + e.getMessage());
        }
    }

    /** One malformed record of a rotating kind: not JSON, a NaN sample, an unknown fleet, a bad sample rate. */
    private void injectMalformed(WindowProducer out, VibrationWindow template, long k) {
        byte[] value;
        switch ((int) (k % 4)) {
            case 0 -> value = "{\"time\": 17, \"machine\": \"demo-m1\", oops".getBytes(StandardCharsets.UTF_8);
            case 1 -> {
                VibrationWindow w = copy(template);
                w.channels[0][3] = Float.NaN; // JSON carries it as "NaN"; validation refuses the non-finite sample
                value = config.windowFormat().encode(w);
            }
            case 2 -> {
                VibrationWindow w = copy(template);
                w.fleet = "unknown-fleet";
                value = config.windowFormat().encode(w);
            }
            default -> {
                VibrationWindow w = copy(template);
                w.sampleRateHz = -1;
                value = config.windowFormat().encode(w);
            }
        }
        out.sendRaw(template.machine, value, template.time);
        malformedIn.incrementAndGet();
    }

    private static VibrationWindow copy(VibrationWindow w) {
        float[][] ch = new float[w.channels.length][];
        for (int i = 0; i < ch.length; i++) {
            ch[i] = w.channels[i].clone();
        }
        return new VibrationWindow(w.time, w.machine, w.fleet, w.sampleRateHz, ch, w.label);
    }

    private void observe(TandemConfig c, String topic, byte[] value) {
        try {
            if (rain != null && topic.equals(c.string("topics.rain-forecasts"))) {
                rain.observeForecast(value);
            } else if (topic.equals(c.string("topics.gearbox-predictions"))) {
                JsonNode p = Json.mapper().readTree(value);
                modelVersion.accumulateAndGet(p.get("model_version").asLong(), Math::max);
                if (p.hasNonNull("label")) {
                    boolean ok = p.get("label").asText().equals(p.get("decision").asText());
                    labelledOut.incrementAndGet();
                    if (ok) {
                        correctOut.incrementAndGet();
                    }
                    synchronized (recent) {
                        recent.addLast(ok);
                        if (recent.size() > 200) {
                            recent.removeFirst();
                        }
                    }
                }
            } else if (topic.equals(c.string("topics.gearbox-alerts"))) {
                JsonNode a = Json.mapper().readTree(value);
                err.printf(Locale.ROOT, "demo: ALERT %s %s %s (confidence %.2f over %d windows, model v%d)%n",
                        a.get("kind").asText(), a.get("machine").asText(), a.path("fault").asText(),
                        a.get("confidence").asDouble(), a.get("windows").asInt(), a.get("model_version").asLong());
            }
        } catch (Exception e) {
            err.println("demo: cannot read an output record: " + e.getMessage());
        }
    }

    public boolean feedDone() {
        return feedDone;
    }

    /** One line of the live summary. */
    public String summaryLine() {
        double seconds = (System.nanoTime() - started) / 1e9;
        double recentAccuracy;
        synchronized (recent) {
            recentAccuracy = recent.isEmpty() ? Double.NaN
                    : recent.stream().filter(b -> b).count() / (double) recent.size();
        }
        return String.format(Locale.ROOT, "demo: %4.0fs  windows in %d (%.1f/s)  predictions %d  accuracy %.3f (last %d labelled)"
                        + "  model v%d  alerts %d  dead letters %d", seconds, windowsIn.get(), windowsIn.get() / Math.max(seconds, 1e-9),
                count("topics.gearbox-predictions"), recentAccuracy, Math.min(200, labelledOut.get()), modelVersion.get(),
                count("topics.gearbox-alerts"), count("topics.dead-letters")) + (rain == null ? "" : rain.summary(seconds));
    }

    private long count(String key) {
        return reader == null ? 0 : reader.count(config.string(key));
    }

    /** Stops the replay and waits (up to timeout) until every window sent has a committed prediction. */
    public void drain(Duration timeout) throws InterruptedException {
        replaying.set(false);
        if (watch != null) {
            watch.close();
        }
        if (rain != null) {
            rain.stop();
        }
        if (replay != null) {
            replay.join(5000);
        }
        if (reader != null) {
            reader.await(() -> count("topics.gearbox-predictions") >= windowsIn.get()
                    && count("topics.dead-letters") >= malformedIn.get() + (rain == null ? 0 : rain.malformedIn()), timeout);
        }
    }

    /** The counts of the {@code --json} line. */
    public Map<String, Object> counts() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windows_in", windowsIn.get());
        out.put("predictions_out", count("topics.gearbox-predictions"));
        out.put("alerts_out", count("topics.gearbox-alerts"));
        out.put("dead_letters", count("topics.dead-letters"));
        out.put("malformed_in", malformedIn.get() + (rain == null ? 0 : rain.malformedIn()));
        if (rain != null) {
            out.put("readings_in", rain.readingsIn());
            out.put("forecasts_out", rain.forecastsOut());
            out.put("forecast_model_version", rain.modelVersion());
            double mse = rain.recentMse();
            out.put("forecast_recent_mse", Double.isNaN(mse) ? null : Math.round(mse * 1000) / 1000.0);
        }
        out.put("prequential_accuracy", labelledOut.get() == 0 ? null
                : Math.round(10000.0 * correctOut.get() / labelledOut.get()) / 10000.0);
        out.put("model_version", modelVersion.get());
        out.put("seconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        return out;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        replaying.set(false);
        if (rain != null) {
            rain.stop();
        }
        if (job != null) {
            try {
                job.cancel().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                err.println("demo: cancelling the job: " + e.getMessage());
            }
        }
        if (reader != null) {
            try {
                reader.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
