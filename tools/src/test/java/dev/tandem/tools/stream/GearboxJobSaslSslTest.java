package dev.tandem.tools.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.kafka.KafkaClientSecurity;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.EmbeddedKafka;
import dev.tandem.tools.kafka.TestCertificates;
import dev.tandem.tools.kafka.WindowProducer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secured Kafka end to end: a real broker on loopback whose only client listener is SASL_SSL (SCRAM-SHA-512 users
 * created when its storage is formatted; a CA and broker certificate made by the test, hostname verification on).
 * The gearbox job reads, predicts and writes transactionally through it with the {@code kafka.*} security keys; a
 * client without credentials or with a wrong password is refused; no secret reaches the test log or a dead letter.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class GearboxJobSaslSslTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final String STORE_PASSWORD = "store-Pw-7c1e";
    private static final String JOB_PASSWORD = "job-Pw-93a4f";
    private static final String BROKER_PASSWORD = "broker-Pw-5d02";
    private static final String MECHANISM = "SCRAM-SHA-512";

    @TempDir
    static Path certificates;
    private static TestCertificates certs;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        certs = TestCertificates.create(certificates, STORE_PASSWORD);
        LinkedHashMap<String, String> users = new LinkedHashMap<>();
        users.put("broker", BROKER_PASSWORD);
        users.put("tandem", JOB_PASSWORD);
        kafka = EmbeddedKafka.startSaslSsl(Duration.ofSeconds(90),
                new EmbeddedKafka.SaslSsl(certs.brokerKeyStore(), certs.trustStore(), STORE_PASSWORD, MECHANISM, users));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static TandemConfig config(String password) {
        return TandemConfig.defaults(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.security.protocol=sasl_ssl",
                "kafka.sasl.mechanism=scram-sha-512",
                "kafka.sasl.username=tandem",
                "kafka.sasl.password=" + password,
                "kafka.ssl.truststore.location=" + certs.trustStore(),
                "kafka.ssl.truststore.password=" + STORE_PASSWORD,
                "kafka.group-id=sasl-job",
                "kafka.starting-offsets=committed",
                "topics.gearbox-windows=sasl-windows",
                "topics.gearbox-predictions=sasl-predictions",
                "topics.gearbox-alerts=sasl-alerts",
                "topics.dead-letters=sasl-dead",
                "gearbox.fleets=demo",
                "gearbox.batch=4",
                "compute.backend=java",
                "job.parallelism=1",
                "job.checkpoint-interval-ms=400",
                "job.transactional-id-prefix=sasl",
                "job.source-idle-timeout-ms=0");
    }

    private static Properties admin(Map<String, String> security) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return p;
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void theGearboxJobRunsThroughSaslSslAndNoSecretLeaks(@TempDir Path tmp) throws Exception {
        TandemConfig c = config(JOB_PASSWORD);
        Map<String, String> security = KafkaClientSecurity.properties(c);
        try (Admin admin = Admin.create(admin(security))) {
            admin.createTopics(List.of(new NewTopic(c.string("topics.gearbox-windows"), 1, (short) 1),
                    new NewTopic(c.string("topics.gearbox-predictions"), 1, (short) 1),
                    new NewTopic(c.string("topics.gearbox-alerts"), 1, (short) 1),
                    new NewTopic(c.string("topics.dead-letters"), 1, (short) 1))).all().get();
        }
        GearboxSimulator sim = new GearboxSimulator("demo", 2, 256, GearboxSimulator.DEFAULT_RATE, 11);
        List<VibrationWindow> windows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean broken = i % 2 == 1;
            windows.add(sim.window("m" + (1 + i % 2), 1_700_000_000_000L + 100L * i, broken,
                    broken ? "broken_tooth" : "healthy"));
        }
        List<byte[]> malformed = List.of("not json".getBytes(StandardCharsets.UTF_8),
                "{\"time\":1,\"machine\":\"m1\",\"fleet\":\"elsewhere\",\"sample_rate_hz\":5120,\"channels\":[[1,2]]}"
                        .getBytes(StandardCharsets.UTF_8));
        try (WindowProducer p = new WindowProducer(kafka.bootstrapServers(), c.string("topics.gearbox-windows"),
                c.windowFormat(), security)) {
            for (int i = 0; i < windows.size(); i++) {
                p.send(windows.get(i));
                if (i == 10 || i == 20) {
                    p.sendRaw("bad", malformed.get(i / 10 - 1), windows.get(i).time);
                }
            }
            p.flush();
        }
        // every record written (a send that failed would only show in its callback)
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
                dev.tandem.job.kafka.KafkaEnds.readCommittedConsumer(kafka.bootstrapServers(), "sasl-count", security))) {
            var tp = new org.apache.kafka.common.TopicPartition(c.string("topics.gearbox-windows"), 0);
            assertEquals(windows.size() + malformed.size(),
                    consumer.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp), "records written through SASL_SSL");
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            int read = 0;
            long end = System.nanoTime() + 60_000_000_000L;
            while (read < windows.size() + malformed.size() && System.nanoTime() < end) {
                read += consumer.poll(Duration.ofMillis(500)).count();
            }
            assertEquals(windows.size() + malformed.size(), read, "records read back through SASL_SSL");
        }
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, tmp.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        GearboxMain.build(env, c);
        List<Prediction> predictions = Collections.synchronizedList(new ArrayList<>());
        List<String> dead = Collections.synchronizedList(new ArrayList<>());
        JobClient job = env.executeAsync("gearbox-sasl-ssl");
        try (CommittedReader r = new CommittedReader(kafka.bootstrapServers(), security,
                List.of(c.string("topics.gearbox-predictions"), c.string("topics.dead-letters")), (topic, value) -> {
                    try {
                        if (topic.equals(c.string("topics.gearbox-predictions"))) {
                            predictions.add(Json.read(value, Prediction.class));
                        } else {
                            dead.add(new String(value, StandardCharsets.UTF_8));
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })) {
            assertTrue(r.await(() -> predictions.size() >= windows.size() && dead.size() >= 2, Duration.ofSeconds(120)),
                    () -> "through SASL_SSL: predictions " + predictions.size() + "/" + windows.size() + ", dead letters "
                            + dead.size() + "/2, job " + status(job) + TestLogs.tail(60) + "\n--- broker ---\n" + kafka.log());
        } finally {
            job.cancel().get();
        }
        assertEquals(windows.size(), predictions.size(), "one committed prediction per window");
        assertEquals(windows.size(), predictions.stream().map(p -> p.machine + "@" + p.time).distinct().count());
        assertTrue(predictions.stream().mapToLong(p -> p.modelVersion).max().orElse(0) >= 5, "the fleet model learned");
        assertEquals(2, dead.size(), dead.toString());
        JsonNode unknownFleet = dead.stream().map(GearboxJobSaslSslTest::tree)
                .filter(d -> d.get("reason").asText().contains("unknown fleet")).findFirst().orElseThrow();
        assertEquals(c.string("topics.gearbox-windows"), unknownFleet.get("topic").asText());

        List<String> secrets = List.of(JOB_PASSWORD, STORE_PASSWORD, BROKER_PASSWORD);
        for (String d : dead) {
            for (String s : secrets) {
                assertFalse(d.contains(s), "a secret in a dead letter: " + d);
            }
        }
        String log = testLog();
        assertTrue(log.contains("kafka.sasl.password=" + TandemConfig.MASK)
                        && log.contains("kafka.ssl.truststore.password=" + TandemConfig.MASK),
                "the job logs its configuration at start, secrets masked" + TestLogs.tail(40));
        for (String s : secrets) {
            assertFalse(log.contains(s), "secret " + s + " in the test log");
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aClientWithoutCredentialsOrWithAWrongPasswordIsRefused() throws Exception {
        Map<String, String> wrong = KafkaClientSecurity.properties(config("not-the-password"));
        try (Admin admin = Admin.create(admin(wrong))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.listTopics(new ListTopicsOptions().timeoutMs(30000)).names().get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
        }
        // plaintext: the TLS listener never answers a Kafka request, so the client gets nothing before its timeout
        try (Admin admin = Admin.create(admin(Map.of()))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.listTopics(new ListTopicsOptions().timeoutMs(4000)).names().get());
            assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause(), e.toString());
        }
        // TLS without SASL: the handshake succeeds, the broker then waits for a SASL exchange that never comes
        Map<String, String> tlsOnly = new LinkedHashMap<>(KafkaClientSecurity.properties(config(JOB_PASSWORD)));
        tlsOnly.put("security.protocol", "SSL");
        tlsOnly.remove("sasl.mechanism");
        tlsOnly.remove("sasl.jaas.config");
        try (Admin admin = Admin.create(admin(tlsOnly))) {
            assertThrows(ExecutionException.class,
                    () -> admin.listTopics(new ListTopicsOptions().timeoutMs(4000)).names().get());
        }
    }

    private static String status(JobClient job) {
        try {
            return String.valueOf(job.getJobStatus().get());
        } catch (Exception e) {
            return "status unknown (" + e + ")";
        }
    }

    private static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String testLog() throws IOException {
        Path file = TestLogs.file();
        assertTrue(file != null && Files.isRegularFile(file), "the test log file " + file);
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
