package dev.tandem.tools.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.GearboxJob;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.job.stream.RainfallJob;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.io.ModelSeed;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.FleetTrainerFunction;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.tools.cli.Tandem;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.demo.WeatherSimulator;
import dev.tandem.tools.flink.LocalFlink;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.WeatherProducer;
import dev.tandem.tools.kafka.WindowProducer;
import dev.tandem.tools.savepoint.SavepointModels;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models out of savepoints, on the mini cluster against a real broker: a job trains, a savepoint is taken while it
 * is idle, {@code export-model} reads one fleet's / region's model out of it, and that file is bit for bit the model
 * the operator held (the same bytes as the learner that saw the same windows; the hash the operator's last output
 * reported); a new job seeded with it ({@code gearbox.initial-model}, {@code rainfall.initial-model}) starts from
 * those weights. The gearbox run also reads the {@code tandem} metrics through the REST API.
 */
class ModelExportClusterTest {
    private static final int CHANNELS = 2;
    private static final int LENGTH = 256;
    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_704_067_200_000L;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = TestBroker.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static TandemConfig gearboxConfig(String prefix, String... more) {
        List<String> sets = new ArrayList<>(List.of(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=" + prefix + "-job",
                "kafka.starting-offsets=earliest",
                "topics.gearbox-windows=" + prefix + "-windows",
                "topics.gearbox-predictions=" + prefix + "-predictions",
                "topics.gearbox-alerts=" + prefix + "-alerts",
                "topics.dead-letters=" + prefix + "-dead",
                "gearbox.fleets=demo,north",
                "gearbox.batch=4",
                "gearbox.learning-rate=0.003",
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=500",
                "job.transactional-id-prefix=" + prefix,
                "job.source-idle-timeout-ms=0"));
        sets.addAll(List.of(more));
        return TandemConfig.defaults(sets.toArray(new String[0]));
    }

    private static void createGearboxTopics(TandemConfig c) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        // windows carry their own (2023) times as record timestamps: without retention.ms=-1 the broker's first
        // retention check deletes them (a run here once saw 0 of 38 predictions for 120 s)
        Map<String, String> keep = Map.of("retention.ms", "-1");
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(
                    new NewTopic(c.string("topics.gearbox-windows"), 1, (short) 1).configs(keep), // one partition: a fixed order
                    new NewTopic(c.string("topics.gearbox-predictions"), 1, (short) 1).configs(keep),
                    new NewTopic(c.string("topics.gearbox-alerts"), 1, (short) 1).configs(keep),
                    new NewTopic(c.string("topics.dead-letters"), 1, (short) 1).configs(keep))).all().get();
        }
    }

    /** Windows of a fleet from t0 on: m1 healthy, m2 broken; 3 of 4 labelled. */
    private static List<VibrationWindow> windows(String fleet, int n, long t0, int seed) {
        GearboxSimulator sim = new GearboxSimulator(fleet, CHANNELS, LENGTH, GearboxSimulator.DEFAULT_RATE, seed);
        List<VibrationWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean broken = i % 2 == 1;
            out.add(sim.window("m" + (1 + i % 2), t0 + 100L * i, broken,
                    i % 4 == 3 ? null : broken ? "broken_tooth" : "healthy"));
        }
        return out;
    }

    private static JobClient startGearbox(LocalFlink flink, TandemConfig c, String name) throws Exception {
        Configuration conf = new Configuration();
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(300));
        StreamExecutionEnvironment env = flink.environment(conf);
        GearboxMain.build(env, c);
        return env.executeAsync(name);
    }

    @Test
    void fleetModelOutOfASavepointBitForBitSeedsANewJobAndMetricsAreInTheRestApi(@TempDir Path tmp) throws Exception {
        TandemConfig a = gearboxConfig("export-a");
        createGearboxTopics(a);
        // north first, then demo: demo is the fleet the trainer saw last (its gauges); 30 demo windows are 22
        // labelled → 5 steps of 4 and 2 pending, so the last window's prediction was made by the final weights
        List<VibrationWindow> north = windows("north", 8, 1_700_000_000_000L, 3);
        List<VibrationWindow> demo = windows("demo", 30, 1_700_000_100_000L, 7);
        try (WindowProducer p = new WindowProducer(kafka.bootstrapServers(), a.string("topics.gearbox-windows"), a.windowFormat())) {
            north.forEach(p::send);
            p.sendRaw("bad", "this is not json".getBytes(StandardCharsets.UTF_8), 1_700_000_050_000L);
            p.sendRaw("bad", Json.write(new GearboxSimulator("elsewhere", CHANNELS, LENGTH, 5120, 1)
                    .window("m1", 1_700_000_060_000L, false, null)), 1_700_000_060_000L);
            demo.forEach(p::send);
            p.flush();
        }
        List<Prediction> out = Collections.synchronizedList(new ArrayList<>());
        LocalFlink flink = LocalFlink.of("127.0.0.1");
        JobClient job = startGearbox(flink, a, "export-a");
        String savepoint;
        Map<String, Double> metrics;
        try (CommittedReader r = predictions(a, out)) {
            int total = north.size() + demo.size();
            assertTrue(r.await(() -> out.size() >= total, Duration.ofSeconds(120)),
                    () -> "predictions " + out.size() + "/" + total + TestLogs.tail(60));
            metrics = awaitMetrics(flink, job, m -> m.keySet().stream().anyMatch(k -> k.endsWith(".tandem.deadLetters.unknown_fleet"))
                    && m.entrySet().stream().anyMatch(e -> e.getKey().endsWith("fleet-trainer.tandem.modelVersion") && e.getValue() == 5));
            savepoint = job.triggerSavepoint(tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL).get();
        } finally {
            job.cancel().get();
        }

        // the metrics, through /jobs/:id/vertices/:vid/metrics
        assertEquals(5.0, metric(metrics, "fleet-trainer.tandem.modelVersion"), "demo's model version");
        FleetLearner offline = new FleetLearner(a.fleetSettings(), new JavaBackend(), new GearboxCnnFactory());
        FleetState expectedNorth = replay(offline, north);
        FleetState expectedDemo = replay(offline, demo);
        assertEquals(5, expectedDemo.version);
        assertEquals((double) (expectedNorth.version + expectedDemo.version), metric(metrics, "fleet-trainer.tandem.trainingSteps"));
        assertEquals(expectedDemo.prequentialAccuracy(), metric(metrics, "fleet-trainer.tandem.prequentialAccuracy"), 1e-12);
        assertEquals(expectedDemo.lastLoss, metric(metrics, "fleet-trainer.tandem.loss"), 1e-6);
        assertTrue(Double.isFinite(metric(metrics, "fleet-trainer.tandem.trainingStepsPerSecond")),
                "steps/s meter: " + metrics);
        assertEquals(1.0, metric(metrics, "tandem.deadLetters.unknown_fleet"), "the window of fleet 'elsewhere'");
        double deadByReason = metrics.entrySet().stream().filter(e -> e.getKey().contains(".tandem.deadLetters."))
                .mapToDouble(Map.Entry::getValue).sum();
        assertEquals(2.0, deadByReason, "dead letters by reason: " + metrics);
        assertEquals((double) (north.size() + demo.size()), metric(metrics, "fleet-trainer.numRecordsIn"));

        // export-model, bit for bit
        SavepointModels.Export e = SavepointModels.export(savepoint, GearboxJob.UID_TRAINER, "demo");
        assertEquals(List.of("demo", "north"), e.keys());
        assertArrayEquals(codec(expectedDemo), e.model(), "the exported file is the learner's model after the same windows");
        Prediction lastDemo = out.stream().filter(p -> p.fleet.equals("demo")).reduce((x, y) -> y).orElseThrow();
        ModelSeed exported = ModelSeed.of(e.model(), "export");
        assertEquals(lastDemo.modelHash, exported.hash(), "the hash the operator reported with its last prediction");
        assertEquals(5, exported.optimizerStep());

        // unknown uid and key: clear errors that list what is there
        IllegalArgumentException uid = assertThrows(IllegalArgumentException.class,
                () -> SavepointModels.export(savepoint, "no-such-uid", "demo"));
        assertTrue(uid.getMessage().contains("uids with models in this savepoint: gearbox-fleet-trainer")
                && uid.getMessage().contains("gearbox-alerts"), uid.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> SavepointModels.export(savepoint, GearboxJob.UID_TRAINER, "south"));
        assertTrue(key.getMessage().contains("fleets present: demo, north"), key.getMessage());

        // the command writes the same file
        Path file = tmp.resolve("demo.model");
        String[] stdout = new String[1];
        int rc = run(stdout, "export-model", "--savepoint", savepoint, "--uid", GearboxJob.UID_TRAINER, "--key", "demo",
                "--out", file.toString(), "--json");
        assertEquals(0, rc, stdout[0]);
        assertArrayEquals(e.model(), Files.readAllBytes(file));
        assertTrue(stdout[0].contains("\"model_hash\":\"" + exported.hash() + "\""), stdout[0]);

        // a new job seeded with it: demo's first prediction is made by the exported weights, at its version
        TandemConfig b = gearboxConfig("export-b", "gearbox.initial-model=" + file);
        createGearboxTopics(b);
        List<VibrationWindow> more = windows("demo", 3, 1_700_000_200_000L, 11);
        try (WindowProducer p = new WindowProducer(kafka.bootstrapServers(), b.string("topics.gearbox-windows"), b.windowFormat())) {
            more.forEach(p::send);
            p.flush();
        }
        List<Prediction> seeded = Collections.synchronizedList(new ArrayList<>());
        JobClient second = startGearbox(LocalFlink.of("127.0.0.1"), b, "export-b");
        try (CommittedReader r = predictions(b, seeded)) {
            assertTrue(r.await(() -> seeded.size() >= more.size(), Duration.ofSeconds(120)),
                    () -> "seeded predictions " + seeded.size() + TestLogs.tail(60));
        } finally {
            second.cancel().get();
        }
        assertEquals(exported.hash(), seeded.get(0).modelHash, "the seeded fleet starts from the exported weights");
        assertEquals(5, seeded.get(0).modelVersion, "and from its optimizer's step count");
        // 3 labelled windows and a batch of 4 (the pending batch is not in a model file): no step yet
        assertEquals(exported.hash(), seeded.get(2).modelHash);
        // eval's path, the learner seeded from the file: the same weights, version and optimizer state
        FleetState evalSeeded = FleetTrainerFunction.create(offline.withInitialModel(exported), more.get(0));
        assertEquals(exported.hash(), evalSeeded.hash());
        assertEquals(5, evalSeeded.version);
        assertArrayEquals(e.model(), codec(evalSeeded), "weights and Adam's moments and step, bit for bit");
    }

    @Test
    void regionModelOutOfAsavepointMatchesTheForecastsAndSeedsANewJob(@TempDir Path tmp) throws Exception {
        TandemConfig a = rainConfig("rexport-a");
        RainfallJobKafkaTest.createTopics(kafka.bootstrapServers(), a, 1);
        WeatherSimulator sim = new WeatherSimulator(9, -36, -34, 148, 151, HOUR, 0.6, 7);
        int steps = 10;
        send(a, sim, 0, steps);
        List<Forecast> out = Collections.synchronizedList(new ArrayList<>());
        JobClient job = startRain(a, "rexport-a");
        int expected = (steps - 1) - (2 - 1); // the last step stays open; the first T − 1 frames forecast nothing
        String savepoint;
        try (CommittedReader r = forecasts(a, out)) {
            assertTrue(r.await(() -> out.size() >= expected, Duration.ofSeconds(120)),
                    () -> "forecasts " + out.size() + "/" + expected + TestLogs.tail(60));
            savepoint = job.triggerSavepoint(tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL).get();
        } finally {
            job.cancel().get();
        }
        Forecast last = out.get(out.size() - 1);
        SavepointModels.Export e = SavepointModels.export(savepoint, RainfallJob.UID_TRAINER, "test");
        assertEquals(List.of("test"), e.keys());
        ModelSeed exported = ModelSeed.of(e.model(), "export");
        assertTrue(last.modelVersion > 0, "the region learned");
        assertEquals(last.modelHash, exported.hash(), "the weights that made the last forecast");
        assertEquals(last.modelVersion, exported.optimizerStep());
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(e.model()), new JavaBackend());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        ModelCodec.write(again, saved.model(), saved.optimizerState(), saved.properties());
        assertArrayEquals(e.model(), again.toByteArray(), "a complete model file: it reads back to the same bytes");
        assertEquals("10.0", exported.property(dev.tandem.models.rain.ConvLstmRainForecaster.RAIN_SCALE_PROPERTY),
                "the units it was trained in (rainfall.rain-scale=10)");
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> SavepointModels.export(savepoint, RainfallJob.UID_TRAINER, "elsewhere"));
        assertTrue(key.getMessage().contains("regions present: test"), key.getMessage());
        IllegalArgumentException uid = assertThrows(IllegalArgumentException.class,
                () -> SavepointModels.export(savepoint, GearboxJob.UID_TRAINER, "test"));
        assertTrue(uid.getMessage().contains("uids with models in this savepoint: rain-forecaster-trainer"), uid.getMessage());

        // seeded: with horizon 2 the first forecast comes before the first learning step, from the file's weights
        Path file = tmp.resolve("region.model");
        Files.write(file, e.model());
        TandemConfig b = rainConfig("rexport-b", "rainfall.initial-model=" + file);
        RainfallJobKafkaTest.createTopics(kafka.bootstrapServers(), b, 1);
        send(b, sim, steps, steps + 4);
        List<Forecast> seeded = Collections.synchronizedList(new ArrayList<>());
        JobClient second = startRain(b, "rexport-b");
        try (CommittedReader r = forecasts(b, seeded)) {
            assertTrue(r.await(() -> !seeded.isEmpty(), Duration.ofSeconds(120)), () -> "seeded forecasts" + TestLogs.tail(60));
        } finally {
            second.cancel().get();
        }
        assertEquals(exported.hash(), seeded.get(0).modelHash, "the seeded region starts from the exported weights");
        assertEquals(exported.optimizerStep(), seeded.get(0).modelVersion);
    }

    private static TandemConfig rainConfig(String prefix, String... more) {
        List<String> sets = new ArrayList<>(List.of(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=" + prefix + "-job",
                "kafka.starting-offsets=earliest",
                "topics.weather-readings=" + prefix + "-readings",
                "topics.rain-forecasts=" + prefix + "-forecasts",
                "topics.dead-letters=" + prefix + "-dead",
                "rainfall.region=test",
                "rainfall.step=1h",
                "rainfall.allowed-lateness-ms=0",
                "rainfall.grid.max-side=8",
                "rainfall.window=2",
                "rainfall.horizon=2",
                "rainfall.hidden=2",
                "rainfall.kernels=3",
                "rainfall.batch=2",
                "rainfall.replay=8",
                "rainfall.rain-scale=10", // learns from the first full window (auto would wait for 50 wet readings)
                "rainfall.optimizer=adam",
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=500",
                "job.watermark-out-of-orderness-ms=0",
                "job.transactional-id-prefix=" + prefix,
                "job.source-idle-timeout-ms=0"));
        sets.addAll(List.of(more));
        return TandemConfig.defaults(sets.toArray(new String[0]));
    }

    private static void send(TandemConfig c, WeatherSimulator sim, int from, int to) {
        try (WeatherProducer out = new WeatherProducer(kafka.bootstrapServers(), c.string("topics.weather-readings"))) {
            for (int s = from; s < to; s++) {
                for (WeatherReading r : sim.next(T0 + s * HOUR)) {
                    out.send(r);
                }
            }
            out.flush();
        }
    }

    private static JobClient startRain(TandemConfig c, String name) throws Exception {
        StreamExecutionEnvironment env = LocalFlink.of("127.0.0.1").environment(null);
        RainfallMain.build(env, c);
        return env.executeAsync(name);
    }

    private static CommittedReader forecasts(TandemConfig c, List<Forecast> into) {
        return new CommittedReader(kafka.bootstrapServers(), List.of(c.string("topics.rain-forecasts")), (topic, value) -> {
            try {
                into.add(Json.read(value, Forecast.class));
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    private static CommittedReader predictions(TandemConfig c, List<Prediction> into) {
        return new CommittedReader(kafka.bootstrapServers(), List.of(c.string("topics.gearbox-predictions")), (topic, value) -> {
            try {
                into.add(Json.read(value, Prediction.class));
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    /** One fleet's windows through the learner the operator runs, from a fresh state. */
    private static FleetState replay(FleetLearner learner, List<VibrationWindow> ws) {
        FleetState m = FleetTrainerFunction.create(learner, ws.get(0));
        for (VibrationWindow w : ws) {
            FleetTrainerFunction.observe(learner, m, w);
        }
        return m;
    }

    private static byte[] codec(FleetState m) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ModelCodec.write(b, m.model, m.optimizerState);
        return b.toByteArray();
    }

    private static int run(String[] stdout, String... args) {
        PrintStream before = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return Tandem.commandLine().execute(args);
        } finally {
            System.setOut(before);
            stdout[0] = buf.toString(StandardCharsets.UTF_8);
        }
    }

    // --- the REST API's metrics ---

    /** The value of the one metric whose id ends with suffix. */
    private static double metric(Map<String, Double> metrics, String suffix) {
        List<Double> v = metrics.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).map(Map.Entry::getValue).toList();
        assertEquals(1, v.size(), () -> "one metric *" + suffix + " among " + metrics.keySet());
        return v.get(0);
    }

    /** Every numeric metric of every vertex (id → value), polled until done says they are there. */
    private static Map<String, Double> awaitMetrics(LocalFlink flink, JobClient job,
                                                    java.util.function.Predicate<Map<String, Double>> done) throws Exception {
        long until = System.nanoTime() + 60_000_000_000L;
        Map<String, Double> m = Map.of();
        while (System.nanoTime() < until) {
            m = metrics(flink.restUrl(), job.getJobID().toString());
            if (done.test(m)) {
                return m;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("metrics not reported within 60 s: " + m);
    }

    static Map<String, Double> metrics(String rest, String jobId) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode v : get(rest + "/jobs/" + jobId).path("vertices")) {
            String vid = v.path("id").asText();
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(rest + "/jobs/" + jobId + "/vertices/" + vid + "/metrics")) {
                String id = m.path("id").asText();
                if (id.contains(".tandem.") || id.endsWith(".numRecordsIn")) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            for (JsonNode m : get(rest + "/jobs/" + jobId + "/vertices/" + vid + "/metrics?get="
                    + String.join(",", ids))) {
                try {
                    out.put(m.path("id").asText(), Double.parseDouble(m.path("value").asText()));
                } catch (NumberFormatException ignored) {
                    // a gauge without a value yet
                }
            }
        }
        return out;
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), () -> url + ": " + r.body());
        return Json.mapper().readTree(r.body());
    }
}
