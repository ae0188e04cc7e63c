package dev.tandem.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.flink.FlinkClasspath;
import dev.tandem.tools.flink.ProcessCluster;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.EmbeddedKafka;
import dev.tandem.tools.kafka.WindowProducer;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.WindowFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opt-in (about two minutes; {@code scripts/verify-cluster} runs it): the cluster job jar
 * ({@code job/target/tandem-job-*-flink.jar}) with its default compute backend ({@code auto}: ND4J and its native
 * libraries inside the TaskManager) submitted through the REST API of a real Flink standalone session cluster
 * ({@link ProcessCluster}, one TaskManager) against a real Kafka broker in its own JVM; windows replayed into
 * {@code gearbox-windows} come out as predictions on {@code gearbox-predictions} (read_committed), and the fleet
 * model trains (model_version grows). {@link ProcessClusterTest} (part of the build) covers failover and upgrades
 * on the Java backend; this one adds the ND4J natives. Enabled by {@code -Dtandem.cluster.nd4j=true}.
 */
@EnabledIfSystemProperty(named = "tandem.cluster.nd4j", matches = "true")
class FlinkClusterSubmissionTest {
    private static final int WINDOWS = 48;

    @Test
    void jobJarRunsOnAStandaloneSessionCluster(@TempDir Path dir) throws Exception {
        Path jar = jobJar();
        String classpath = FlinkClasspath.resolve(Path.of("..").toAbsolutePath().normalize());
        System.err.println("cluster check: job jar " + jar + " (" + Files.size(jar) / (1 << 20) + " MiB), cluster in " + dir);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
             ProcessCluster flink = ProcessCluster.start(classpath, dir, new ProcessCluster.Settings(1, 2, 1024,
                     ProcessCluster.FAST_FAILOVER, List.of()), Duration.ofSeconds(120))) {
            String bootstrap = kafka.bootstrapServers();
            createTopics(bootstrap);
            System.err.println("cluster check: Kafka at " + bootstrap + ", Flink REST at " + flink.restUrl());
            String jarId = flink.upload(jar);
            String jobId = flink.run(jarId, GearboxMain.class.getName(), List.of(
                    "--set", "kafka.bootstrap-servers=" + bootstrap,
                    "--set", "kafka.starting-offsets=earliest",
                    "--set", "gearbox.batch=4",
                    "--set", "job.checkpoint-interval-ms=1000",
                    // on a cluster the checkpoint directory is required (CheckpointStorageSettings)
                    "--set", "job.checkpoint-dir=" + dir.resolve("checkpoints").toUri(),
                    "--set", "job.transactional-id-prefix=tandem-cluster-check"), null);
            System.err.println("cluster check: uploaded as " + jarId + ", job " + jobId);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            String state = flink.jobState(jobId);
            while (!state.equals("RUNNING") && System.nanoTime() < end) {
                assertTrue(!state.equals("FAILED"), () -> "job failed: " + exceptionOf(flink, jobId) + "\n" + flink.logTails());
                Thread.sleep(500);
                state = flink.jobState(jobId);
            }
            assertEquals("RUNNING", state, () -> "job not running: " + exceptionOf(flink, jobId) + "\n" + flink.logTails());

            AtomicLong maxVersion = new AtomicLong(-1);
            try (CommittedReader reader = new CommittedReader(bootstrap, List.of("gearbox-predictions"), (topic, value) -> {
                try {
                    JsonNode p = Json.mapper().readTree(value);
                    maxVersion.accumulateAndGet(p.path("model_version").asLong(), Math::max);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            })) {
                GearboxSimulator sim = new GearboxSimulator("demo", 4, 2048, GearboxSimulator.DEFAULT_RATE, 1);
                try (WindowProducer out = new WindowProducer(bootstrap, "gearbox-windows", WindowFormat.JSON)) {
                    long t = System.currentTimeMillis();
                    for (int i = 0; i < WINDOWS; i++) {
                        boolean broken = i % 2 == 1;
                        out.send(sim.window("demo-m" + (1 + i % 2), t + 400L * i, broken, broken ? "broken_tooth" : "healthy"));
                    }
                    out.flush();
                }
                boolean all = reader.await(() -> reader.count("gearbox-predictions") >= WINDOWS, Duration.ofSeconds(120));
                assertTrue(all, () -> "predictions on gearbox-predictions: " + reader.count("gearbox-predictions") + " of "
                        + WINDOWS + "; job " + safeState(flink, jobId) + " " + exceptionOf(flink, jobId) + "\n" + flink.logTails());
                System.err.println("cluster check: " + reader.count("gearbox-predictions") + " predictions read (read_committed),"
                        + " model version " + maxVersion.get() + ", job " + flink.jobState(jobId));
            }
            assertTrue(maxVersion.get() >= WINDOWS / 4 - 1, "the fleet model trained: version " + maxVersion.get());
            assertEquals("RUNNING", flink.jobState(jobId));
            flink.cancel(jobId);
        }
    }

    private static String safeState(ProcessCluster flink, String jobId) {
        try {
            return flink.jobState(jobId);
        } catch (Exception e) {
            return "(state unknown: " + e.getMessage() + ")";
        }
    }

    private static String exceptionOf(ProcessCluster flink, String jobId) {
        return flink.rootException(jobId);
    }

    private static Path jobJar() throws Exception {
        Path target = Path.of("../job/target");
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("tandem-job-.*-flink\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no job/target/tandem-job-*-flink.jar: run mvn package first"));
        }
    }

    private static void createTopics(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(
                    new NewTopic("gearbox-windows", 2, (short) 1).configs(Map.of("max.message.bytes", "8388608")),
                    new NewTopic("gearbox-predictions", 2, (short) 1),
                    new NewTopic("gearbox-alerts", 2, (short) 1),
                    new NewTopic("dead-letters", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
