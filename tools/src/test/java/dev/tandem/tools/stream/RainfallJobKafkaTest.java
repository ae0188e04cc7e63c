package dev.tandem.tools.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.demo.WeatherSimulator;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.WeatherProducer;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.rain.WeatherReading;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rainfall job end to end on a Flink mini cluster against a real (in-process KRaft) Kafka broker: SYNTHETIC
 * readings in, forecasts out to a read_committed reader; out-of-range rain, invalid coordinates, a missing time, a
 * garbage record stamped with the wall clock (which must not move event time) and a late reading in dead letters.
 */
class RainfallJobKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_704_067_200_000L; // 2024-01-01T00:00Z
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

    private static TandemConfig config(String prefix) {
        return TandemConfig.defaults(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=" + prefix + "-job",
                "topics.weather-readings=" + prefix + "-readings",
                "topics.rain-forecasts=" + prefix + "-forecasts",
                "topics.dead-letters=" + prefix + "-dead",
                "rainfall.region=test",
                "rainfall.step=1h",
                "rainfall.allowed-lateness-ms=0",
                "rainfall.grid.max-side=8",
                "rainfall.window=2",
                "rainfall.hidden=4",
                "rainfall.kernels=3",
                "rainfall.batch=2",
                "rainfall.replay=16",
                "rainfall.rain-scale=10", // learns from the first full window (auto would wait for 50 wet readings)
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=400",
                "job.watermark-out-of-orderness-ms=0",
                "job.transactional-id-prefix=" + prefix,
                "job.source-idle-timeout-ms=0");
    }

    static void createTopics(String bootstrap, TandemConfig c, int partitions) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // readings carry their own (past) times as record timestamps: no time-based retention on these topics
        Map<String, String> keep = Map.of("retention.ms", "-1");
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(
                    new NewTopic(c.string("topics.weather-readings"), partitions, (short) 1).configs(keep),
                    new NewTopic(c.string("topics.rain-forecasts"), 1, (short) 1).configs(keep),
                    new NewTopic(c.string("topics.dead-letters"), 1, (short) 1).configs(keep))).all().get();
        }
    }

    @Test
    void readingsInForecastsOutAndBadReadingsInDeadLetters() throws Exception {
        TandemConfig c = config("rain-e2e");
        createTopics(kafka.bootstrapServers(), c, 1);
        WeatherSimulator sim = new WeatherSimulator(9, -36, -34, 148, 151, HOUR, 0.6, 7);
        int steps = 12;
        try (WeatherProducer out = new WeatherProducer(kafka.bootstrapServers(), c.string("topics.weather-readings"))) {
            for (int s = 0; s < steps; s++) {
                long t = T0 + s * HOUR;
                for (WeatherReading r : sim.next(t)) {
                    out.send(r);
                }
                if (s == 3) {
                    out.sendRaw("bad", ("{\"time\":" + t + ",\"station\":\"x\",\"lat\":-35,\"lon\":149,\"rain_mm\":-3}")
                            .getBytes(StandardCharsets.UTF_8), t);
                    out.sendRaw("bad", ("{\"time\":" + t + ",\"station\":\"x\",\"lat\":95,\"lon\":149,\"rain_mm\":1}")
                            .getBytes(StandardCharsets.UTF_8), t);
                    out.sendRaw("bad", "{\"station\":\"x\",\"lat\":-35,\"lon\":149,\"rain_mm\":1}"
                            .getBytes(StandardCharsets.UTF_8), t);
                    // garbage stamped with the wall clock: it used to move the watermark there, and every later
                    // reading went to dead letters as late (docs/HARDENING.md)
                    out.sendRaw("bad", new byte[] {'{', 0, (byte) 0xff}, System.currentTimeMillis());
                }
            }
            out.flush();
        }
        WeatherReading late = sim.next(T0 + 2 * HOUR).get(0);
        List<Forecast> forecasts = Collections.synchronizedList(new ArrayList<>());
        List<JsonNode> dead = Collections.synchronizedList(new ArrayList<>());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RainfallMain.build(env, c);
        JobClient job = env.executeAsync("rainfall-e2e");
        int expected = (steps - 1) - (2 - 1); // the last step stays open; the first T - 1 frames forecast nothing
        try (CommittedReader r = new CommittedReader(kafka.bootstrapServers(), List.of(c.string("topics.rain-forecasts"),
                c.string("topics.dead-letters")), (topic, value) -> {
            try {
                if (topic.equals(c.string("topics.rain-forecasts"))) {
                    forecasts.add(Json.read(value, Forecast.class));
                } else {
                    dead.add(Json.mapper().readTree(value));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            // Only once step 2 has been closed (its forecast is out, so the watermark has passed it) is a reading for
            // it late; sent earlier, the source could read it before the next periodic watermark and keep it.
            assertTrue(r.await(() -> forecasts.size() >= 2, Duration.ofSeconds(120)),
                    () -> "forecasts " + forecasts.size() + TestLogs.tail(80));
            try (WeatherProducer out = new WeatherProducer(kafka.bootstrapServers(), c.string("topics.weather-readings"))) {
                out.send(late);
                out.flush();
            }
            assertTrue(r.await(() -> forecasts.size() >= expected && dead.size() >= 5, Duration.ofSeconds(120)),
                    () -> "forecasts " + forecasts.size() + "/" + expected + ", dead letters " + dead.size() + "/5"
                            + TestLogs.tail(80));
            Thread.sleep(1000); // a further checkpoint must not add anything
        } finally {
            job.cancel().get();
        }
        assertEquals(expected, forecasts.size(), "one forecast per closed step once a window is full");
        List<Forecast> sorted = forecasts.stream().sorted(Comparator.comparingLong(f -> f.validAt)).toList();
        for (int i = 0; i < sorted.size(); i++) {
            Forecast f = sorted.get(i);
            assertEquals("test", f.region);
            assertEquals(T0 + (i + 2) * HOUR, f.validAt, "forecast " + i);
            assertEquals(f.validAt, f.issuedAt, "horizon 1: valid from the end of the last observed step");
            assertEquals(9, f.stations.length);
            assertEquals(f.grid.rows, f.rainMm.length);
            assertEquals(f.grid.cols, f.rainMm[0].length);
            assertEquals(i, f.modelVersion, "one S-SGD step per frame after the first window");
            if (i > 0) {
                assertNotNull(f.previousMse, "the previous forecast was scored");
                assertEquals(9, f.scoredStations);
            }
        }
        List<String> reasons = dead.stream().map(d -> d.get("reason").asText()).toList();
        assertEquals(5, dead.size(), reasons.toString());
        assertTrue(reasons.stream().anyMatch(s -> s.startsWith("unparseable json")), reasons.toString());
        JsonNode garbage = dead.stream().filter(d -> d.get("reason").asText().startsWith("unparseable")).findFirst().get();
        assertEquals("{\\x00\\xff", garbage.get("raw").asText(), "raw bytes escaped");
        JsonNode lateLetter = dead.stream().filter(d -> d.get("reason").asText().startsWith("late")).findFirst().get();
        assertEquals(c.string("topics.weather-readings"), lateLetter.get("topic").asText(), "late letters name their source");
        assertTrue(lateLetter.get("offset").asLong() >= 0, lateLetter.toString());
        assertTrue(reasons.stream().anyMatch(s -> s.startsWith("rain_mm -3.0 out of range")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(s -> s.startsWith("invalid lat 95")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(s -> s.startsWith("missing or non-positive time")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(s -> s.startsWith("late: reading of step")), reasons.toString());
    }

    @Test
    void replayWeatherStreamsACanonicalCsvIntoATopic(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        TandemConfig c = config("rain-replay");
        createTopics(kafka.bootstrapServers(), c, 1);
        java.nio.file.Path csv = tmp.resolve("weather.csv");
        java.nio.file.Files.writeString(csv, "station,time,lat,lon,rain_mm,temp_c\n"
                + "b,2008-12-02,-35.3,149.2,0.4,20.1\n"
                + "a,2008-12-01,-35.1,149.1,,18.5\n"
                + "b,2008-12-01,-35.3,149.2,1.2,19.0\n"
                + "a,2008-12-02,-35.1,149.1,-1,18.0\n");
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = dev.tandem.tools.cli.Tandem.commandLine().execute("replay", "weather", "--data", csv.toString(),
                    "--bootstrap", kafka.bootstrapServers(), "--topic", c.string("topics.weather-readings"),
                    "--rate", "1000", "--json");
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, rc, captured.toString(StandardCharsets.UTF_8));
        String[] lines = captured.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode summary = Json.mapper().readTree(lines[lines.length - 1]);
        assertEquals(3, summary.get("readings").asInt(), "the row with negative rain is skipped by the reader");
        assertEquals(1, summary.get("bad_rows").asInt());
        Properties p = dev.tandem.job.kafka.KafkaEnds.readCommittedConsumer(kafka.bootstrapServers(), "rain-replay-check");
        List<WeatherReading> got = new ArrayList<>();
        List<Long> timestamps = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            consumer.subscribe(List.of(c.string("topics.weather-readings")));
            long end = System.nanoTime() + 30_000_000_000L;
            while (got.size() < 3 && System.nanoTime() < end) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    WeatherReading w = dev.tandem.operators.rain.ParseAndValidateWeather.parse(r.value());
                    assertEquals(new String(r.key(), StandardCharsets.UTF_8), w.station);
                    got.add(w);
                    timestamps.add(r.timestamp());
                }
            }
        }
        assertEquals(3, got.size());
        assertEquals(List.of("a", "b", "b"), got.stream().map(w -> w.station).toList(), "sorted by time, then station");
        assertTrue(Double.isNaN(got.get(0).rainMm), "the missing rain value stays missing");
        assertEquals(18.5, got.get(0).tempC);
        assertEquals(List.of(got.get(0).time, got.get(1).time, got.get(2).time), timestamps, "record timestamp = reading time");
        assertEquals(1228089600000L, got.get(0).time);
    }
}
