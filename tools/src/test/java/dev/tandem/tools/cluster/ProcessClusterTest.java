package dev.tandem.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.gearbox.FleetTrainerFunction;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.tools.demo.GearboxSimulator;
import dev.tandem.tools.demo.WeatherSimulator;
import dev.tandem.tools.flink.FlinkClasspath;
import dev.tandem.tools.flink.ProcessCluster;
import dev.tandem.tools.kafka.CommittedReader;
import dev.tandem.tools.kafka.EmbeddedKafka;
import dev.tandem.tools.kafka.WeatherProducer;
import dev.tandem.tools.kafka.WindowProducer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both jobs' jar on a real multi-process Flink cluster ({@link ProcessCluster}: a JobManager and two TaskManagers
 * with two slots each, every one its own JVM) against a real Kafka broker in its own JVM, submitted through the REST
 * API. The failover tests {@code kill -9} a TaskManager of a running parallelism-2 job under a steady paced load;
 * the upgrade tests stop the gearbox and the rainfall job with a savepoint and restart them from it at parallelism
 * 1 → 2 → 1. A read_committed reader must then see every input's output exactly once, and every model must continue
 * bit for bit: the gearbox predictions carry the same version and weight hash as an uninterrupted in-process run of
 * each fleet's learner; each rainfall forecast's {@code previous_model_hash} is the previous forecast's
 * {@code model_hash} and its version counts the frames, across the kill or the savepoint.
 *
 * <p>The Flink cluster classpath comes from {@code scripts/flink-cluster/pom.xml} ({@link FlinkClasspath}, Maven
 * offline after the first resolution), the jar from {@code job/target} (built by the reactor's package phase).
 */
class ProcessClusterTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int CHANNELS = 2;
    private static final int LENGTH = 512;
    private static final int BATCH = 4;
    private static final long T0 = 1_700_000_000_000L;
    private static final long HOUR = 3_600_000L;
    /** Rainfall steps are whole hours: 2024-01-01T00:00Z. */
    private static final long RAIN_T0 = 1_704_067_200_000L;
    private static final long STARTED = System.nanoTime();
    private static final int CHECKPOINT_MS = 5000;

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static ProcessCluster flink;
    private static String jarId;
    private static int run;

    @BeforeAll
    static void startCluster() throws Exception {
        String classpath = FlinkClasspath.resolve(ROOT);
        Path jar = jobJar();
        kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
        flink = ProcessCluster.start(classpath, dir.resolve("flink"), ProcessCluster.Settings.of(2, 2), Duration.ofSeconds(120));
        jarId = flink.upload(jar);
        log("Kafka " + kafka.bootstrapServers() + ", Flink " + flink.restUrl() + ", jar " + jar);
    }

    /** Jobs submitted by the current test: cancelled after it (a failed test must not keep the slots). */
    private static final List<String> jobs = new ArrayList<>();

    private static String submit(String entry, List<String> args, String savepoint) throws Exception {
        String job = flink.run(jarId, entry, args, savepoint);
        jobs.add(job);
        return job;
    }

    @org.junit.jupiter.api.AfterEach
    void cancelJobs() throws Exception {
        for (String job : jobs) {
            flink.cancelAndWait(job, Duration.ofSeconds(60));
        }
        jobs.clear();
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (flink != null) {
            flink.close();
            // the processes' logs stay for a look at a failure (the temporary folder goes)
            Path logs = Files.createDirectories(Path.of("target/cluster-logs"));
            try (Stream<Path> s = Files.list(flink.directory())) {
                for (Path f : s.filter(f -> f.toString().endsWith(".out")).toList()) {
                    Files.copy(f, logs.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- gearbox

    /** Fleets keyed to both subtasks at parallelism 2 (two each), one machine each so a fleet's windows keep their order. */
    private static final List<String> FLEETS = fleetsOnBothSubtasks();

    private static List<String> fleetsOnBothSubtasks() {
        List<String> zero = new ArrayList<>();
        List<String> one = new ArrayList<>();
        for (int i = 0; zero.size() < 2 || one.size() < 2; i++) {
            String f = "fleet" + i;
            List<String> side = KeyGroupRangeAssignment.assignKeyToParallelOperator(f, 128, 2) == 0 ? zero : one;
            if (side.size() < 2) {
                side.add(f);
            }
        }
        return List.of(zero.get(0), one.get(0), zero.get(1), one.get(1));
    }

    private static List<String> gearboxArgs(String prefix, int parallelism, int checkpointMs) {
        return sets(List.of(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=" + prefix + "-job",
                "kafka.starting-offsets=earliest",
                "topics.gearbox-windows=" + prefix + "-windows",
                "topics.gearbox-predictions=" + prefix + "-predictions",
                "topics.gearbox-alerts=" + prefix + "-alerts",
                "topics.dead-letters=" + prefix + "-dead",
                "gearbox.fleets=" + String.join(",", FLEETS),
                "gearbox.batch=" + BATCH,
                "gearbox.learning-rate=0.003",
                "compute.backend=java",
                "job.parallelism=" + parallelism,
                "job.checkpoint-interval-ms=" + checkpointMs,
                "job.checkpoint-dir=" + flink.directory().resolve("checkpoints").toUri(),
                "job.transactional-id-prefix=" + prefix,
                "job.source-idle-timeout-ms=0"));
    }

    /** Window i of the load: fleets in turn, one machine per fleet, 3 of 4 labelled. */
    private static VibrationWindow window(GearboxSimulator sim, int i) {
        String fleet = FLEETS.get(i % FLEETS.size());
        int j = i / FLEETS.size(); // the fleet's own window count
        boolean broken = j % 2 == 1;
        String label = j % 4 == 3 ? null : broken ? "broken_tooth" : "healthy";
        VibrationWindow w = sim.window(fleet + "-m1", T0 + 100L * i, broken, label);
        w.fleet = fleet;
        return w;
    }

    private static void createGearboxTopics(String prefix) throws Exception {
        createTopics(List.of(
                new NewTopic(prefix + "-windows", 2, (short) 1).configs(Map.of("max.message.bytes", "8388608")),
                new NewTopic(prefix + "-predictions", 2, (short) 1),
                new NewTopic(prefix + "-alerts", 1, (short) 1),
                new NewTopic(prefix + "-dead", 1, (short) 1)));
    }

    @Test
    void gearboxLosesAndRepeatsNothingWhenATaskManagerIsKilled() throws Exception {
        String prefix = "gbfail" + run++;
        createGearboxTopics(prefix);
        GearboxSimulator sim = new GearboxSimulator("x", CHANNELS, LENGTH, GearboxSimulator.DEFAULT_RATE, 7);
        Outputs<Prediction> out = new Outputs<>(p -> p.machine + "@" + p.time);
        List<VibrationWindow> sent = Collections.synchronizedList(new ArrayList<>());
        try (WindowProducer producer = new WindowProducer(kafka.bootstrapServers(), prefix + "-windows",
                dev.tandem.operators.gearbox.WindowFormat.JSON);
             CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), List.of(prefix + "-predictions"),
                     (topic, value) -> out.add(read(value, Prediction.class)))) {
            String job = submit(GearboxMain.class.getName(), gearboxArgs(prefix, 2, CHECKPOINT_MS), null);
            flink.awaitRunning(job, Duration.ofSeconds(90));
            Failover f = failover(job, prefix + "-predictions", reader, out, i -> {
                VibrationWindow w = window(sim, i);
                sent.add(w);
                producer.send(w);
                producer.flush();
            }, 300, p -> (int) ((p.time - T0) / 100), sentCount -> sentCount, MIN_GEARBOX_INPUTS);
            assertEquals(sent.size(), out.ids().size(), () -> "one committed prediction per window: " + out.ids().size()
                    + " of " + sent.size() + " (duplicates " + out.duplicates() + ")");
            assertEquals(List.of(), out.duplicates(), "no prediction repeated");
            assertContinuesLikeAnUninterruptedRun(prefix, sent, out);
            assertTrue(out.straddling(f.killedAt, p -> p.fleet + " v" + p.modelVersion + " " + p.modelHash) > 0,
                    "some fleet's model version was seen both before the kill and after the restore, with equal weights");
            report("gearbox", f);
        }
    }

    /** Every window's prediction has the model version and weight hash of an uninterrupted run of its fleet's learner. */
    private static void assertContinuesLikeAnUninterruptedRun(String prefix, List<VibrationWindow> windows, Outputs<Prediction> out) {
        TandemConfig c = TandemConfig.defaults(gearboxArgs(prefix, 1, CHECKPOINT_MS).stream()
                .filter(a -> !a.equals("--set")).toArray(String[]::new));
        FleetLearner reference = new FleetLearner(c.fleetSettings(), new JavaBackend(), new GearboxCnnFactory());
        Map<String, FleetState> models = new HashMap<>();
        for (VibrationWindow w : windows) {
            FleetState m = models.computeIfAbsent(w.fleet, k -> FleetTrainerFunction.create(reference, w));
            Prediction expected = FleetTrainerFunction.observe(reference, m, w);
            Prediction got = out.get(w.machine + "@" + w.time);
            assertNotNull(got, "no prediction for " + w.machine + "@" + w.time);
            assertEquals(expected.modelVersion, got.modelVersion, "model version of " + w.fleet + " at " + w.time);
            assertEquals(expected.modelHash, got.modelHash, "weights of " + w.fleet + " at " + w.time + " (version "
                    + got.modelVersion + ")");
        }
        for (String fleet : FLEETS) {
            assertTrue(models.get(fleet).version >= 3, fleet + " trained: version " + models.get(fleet).version);
        }
    }

    @Test
    void gearboxSavepointRestoresEveryFleetAtAnotherParallelism() throws Exception {
        String prefix = "gbup" + run++;
        createGearboxTopics(prefix);
        GearboxSimulator sim = new GearboxSimulator("x", CHANNELS, LENGTH, GearboxSimulator.DEFAULT_RATE, 7);
        Outputs<Prediction> out = new Outputs<>(p -> p.machine + "@" + p.time);
        List<VibrationWindow> sent = new ArrayList<>();
        int perPhase = FLEETS.size() * 9; // 6 or 7 labelled windows per fleet and phase: phases end mid-batch
        try (WindowProducer producer = new WindowProducer(kafka.bootstrapServers(), prefix + "-windows",
                dev.tandem.operators.gearbox.WindowFormat.JSON);
             CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), List.of(prefix + "-predictions"),
                     (topic, value) -> out.add(read(value, Prediction.class)))) {
            String savepoint = null;
            int[] parallelism = {1, 2, 1};
            for (int phase = 0; phase < parallelism.length; phase++) {
                String job = submit(GearboxMain.class.getName(), gearboxArgs(prefix, parallelism[phase], 1000), savepoint);
                flink.awaitRunning(job, Duration.ofSeconds(90));
                for (int i = phase * perPhase; i < (phase + 1) * perPhase; i++) {
                    VibrationWindow w = window(sim, i);
                    sent.add(w);
                    producer.send(w);
                }
                producer.flush();
                int expected = sent.size();
                String j = job;
                assertTrue(reader.await(() -> out.ids().size() >= expected, Duration.ofSeconds(90)),
                        () -> "phase " + j + ": " + out.ids().size() + " of " + expected + " predictions; "
                                + flink.rootException(j) + "\n" + flink.logTails());
                if (parallelism[phase] == 2) {
                    assertEquals(List.of(true, true), trainerSubtasksWithRecords(job),
                            "at parallelism 2 both fleet-trainer subtasks hold fleets (keyed state redistributed)");
                }
                savepoint = flink.stopWithSavepoint(job, flink.directory().resolve("savepoints").toUri().toString(),
                        Duration.ofSeconds(60));
                log("gearbox phase " + phase + " (parallelism " + parallelism[phase]
                        + ") stopped with savepoint " + savepoint);
            }
            Thread.sleep(500);
        }
        assertEquals(sent.size(), out.ids().size());
        assertEquals(List.of(), out.duplicates(), "no prediction repeated");
        assertContinuesLikeAnUninterruptedRun(prefix, sent, out);
        for (int phase = 1; phase < 3; phase++) {
            VibrationWindow firstAfter = sent.get(phase * perPhase);
            VibrationWindow lastBefore = sent.get(phase * perPhase - FLEETS.size());
            assertEquals(lastBefore.fleet, firstAfter.fleet);
            assertTrue(out.get(firstAfter.machine + "@" + firstAfter.time).modelVersion > 0,
                    "fleet " + firstAfter.fleet + " came back trained after the savepoint");
        }
    }

    /** Whether each subtask of the fleet trainer has read records (GET /jobs/:id/vertices/:vid). */
    private static List<Boolean> trainerSubtasksWithRecords(String job) throws Exception {
        for (JsonNode v : flink.get("/jobs/" + job).path("vertices")) {
            if (v.path("name").asText().contains("fleet-trainer")) {
                List<Boolean> got = new ArrayList<>();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // metrics are sampled every few seconds
                do {
                    got.clear();
                    for (JsonNode s : flink.get("/jobs/" + job + "/vertices/" + v.path("id").asText()).path("subtasks")) {
                        got.add(s.path("metrics").path("read-records").asLong() > 0);
                    }
                    if (!got.contains(false)) {
                        break;
                    }
                    Thread.sleep(500);
                } while (System.nanoTime() < end);
                return got;
            }
        }
        throw new AssertionError("no fleet-trainer vertex in job " + job);
    }

    // --------------------------------------------------------------------------------------------------- rainfall

    private static List<String> rainfallArgs(String prefix, int parallelism, int checkpointMs) {
        return sets(List.of(
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
                "rainfall.hidden=4",
                "rainfall.kernels=3",
                "rainfall.batch=2",
                "rainfall.replay=16",
                "rainfall.rain-scale=10", // learns from the first full window (auto would wait for 50 wet readings)
                "compute.backend=java",
                "job.parallelism=" + parallelism,
                "job.checkpoint-interval-ms=" + checkpointMs,
                "job.checkpoint-dir=" + flink.directory().resolve("checkpoints").toUri(),
                "job.watermark-out-of-orderness-ms=0",
                "job.transactional-id-prefix=" + prefix,
                "job.source-idle-timeout-ms=0"));
    }

    private static void createRainfallTopics(String prefix) throws Exception {
        Map<String, String> keep = Map.of("retention.ms", "-1"); // readings carry past times as timestamps
        createTopics(List.of(
                new NewTopic(prefix + "-readings", 2, (short) 1).configs(keep),
                new NewTopic(prefix + "-forecasts", 1, (short) 1).configs(keep),
                new NewTopic(prefix + "-dead", 1, (short) 1).configs(keep)));
    }

    /**
     * The step whose readings let the forecast out: the forecast valid for step k is made from frame k − 1, which
     * closes when a reading of step k moves event time past its end.
     */
    private static int closingStep(Forecast f) {
        return (int) ((f.validAt - RAIN_T0) / HOUR);
    }

    @Test
    void rainfallLosesAndRepeatsNothingWhenATaskManagerIsKilled() throws Exception {
        String prefix = "rainfail" + run++;
        createRainfallTopics(prefix);
        WeatherSimulator sim = new WeatherSimulator(9, -36, -34, 148, 151, HOUR, 0.6, 7);
        Outputs<Forecast> out = new Outputs<>(f -> Long.toString(f.validAt));
        try (WeatherProducer producer = new WeatherProducer(kafka.bootstrapServers(), prefix + "-readings");
             CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), List.of(prefix + "-forecasts"),
                     (topic, value) -> out.add(read(value, Forecast.class)))) {
            String job = submit(RainfallMain.class.getName(), rainfallArgs(prefix, 2, CHECKPOINT_MS), null);
            flink.awaitRunning(job, Duration.ofSeconds(90));
            Failover f = failover(job, prefix + "-forecasts", reader, out, s -> {
                for (WeatherReading r : sim.next(RAIN_T0 + s * HOUR)) {
                    producer.send(r);
                }
                producer.flush();
            }, 200, ProcessClusterTest::closingStep, sent -> sent - 2, 0);
            int steps = f.sent;
            assertEquals(steps - 2, out.ids().size(), () -> "one forecast per closed step after the first window: "
                    + out.ids().size() + " of " + (steps - 2));
            assertEquals(List.of(), out.duplicates(), "no forecast repeated");
            assertForecastChain(out, 0);
            List<Forecast> ordered = out.all().stream().sorted(java.util.Comparator.comparingLong(fc -> fc.validAt)).toList();
            boolean crossed = false;
            for (int i = 1; i < ordered.size(); i++) {
                crossed |= out.arrival(ordered.get(i - 1)) <= f.killedAt && out.arrival(ordered.get(i)) > f.killedAt;
            }
            assertTrue(crossed, "the hash chain crosses the kill: a forecast committed before it, the next after it");
            report("rainfall", f);
        }
    }

    /**
     * Forecast i (valid at RAIN_T0 + (i + 2) h) was made by model version first + i, and its learning step started from
     * the weights of forecast i − 1: the chain of hashes runs unbroken through every restore.
     */
    private static void assertForecastChain(Outputs<Forecast> out, int first) {
        TreeMap<Long, Forecast> byTime = new TreeMap<>();
        out.all().forEach(f -> byTime.put(f.validAt, f));
        Forecast previous = null;
        int i = 0;
        for (Forecast f : byTime.values()) {
            assertEquals(RAIN_T0 + (i + 2) * HOUR, f.validAt, "forecast " + i);
            assertEquals(first + i, f.modelVersion, "one optimizer step per frame: forecast " + i);
            assertNotNull(f.modelHash, "forecast " + i + " carries its weights' hash");
            if (previous != null) {
                assertEquals(previous.modelHash, f.previousModelHash, "forecast " + i + " learned from forecast " + (i - 1)
                        + "'s weights (version " + previous.modelVersion + ")");
                assertTrue(!f.modelHash.equals(previous.modelHash), "the weights changed at forecast " + i);
            }
            previous = f;
            i++;
        }
    }

    @Test
    void rainfallSavepointRestoresTheRegionAtAnotherParallelism() throws Exception {
        String prefix = "rainup" + run++;
        createRainfallTopics(prefix);
        WeatherSimulator sim = new WeatherSimulator(9, -36, -34, 148, 151, HOUR, 0.6, 7);
        Outputs<Forecast> out = new Outputs<>(f -> Long.toString(f.validAt));
        int perPhase = 10;
        int[] parallelism = {1, 2, 1};
        try (WeatherProducer producer = new WeatherProducer(kafka.bootstrapServers(), prefix + "-readings");
             CommittedReader reader = new CommittedReader(kafka.bootstrapServers(), List.of(prefix + "-forecasts"),
                     (topic, value) -> out.add(read(value, Forecast.class)))) {
            String savepoint = null;
            for (int phase = 0; phase < parallelism.length; phase++) {
                String job = submit(RainfallMain.class.getName(), rainfallArgs(prefix, parallelism[phase], 1000), savepoint);
                flink.awaitRunning(job, Duration.ofSeconds(90));
                for (int s = phase * perPhase; s < (phase + 1) * perPhase; s++) {
                    for (WeatherReading r : sim.next(RAIN_T0 + s * HOUR)) {
                        producer.send(r);
                    }
                }
                producer.flush();
                int expected = (phase + 1) * perPhase - 2; // the newest step stays open until the next phase's readings
                String j = job;
                assertTrue(reader.await(() -> out.ids().size() >= expected, Duration.ofSeconds(90)),
                        () -> "rainfall phase " + j + ": " + out.ids().size() + " of " + expected + " forecasts; "
                                + flink.rootException(j) + "\n" + flink.logTails());
                savepoint = flink.stopWithSavepoint(job, flink.directory().resolve("savepoints").toUri().toString(),
                        Duration.ofSeconds(60));
            }
            Thread.sleep(500);
        }
        assertEquals(3 * perPhase - 2, out.ids().size());
        assertEquals(List.of(), out.duplicates(), "no forecast repeated");
        assertForecastChain(out, 0);
    }

    // ------------------------------------------------------------------------------------------- failover driver

    /** What a failover run saw: inputs sent, the kill's wall time, and how long the job took to come back. */
    /**
     * Windows the gearbox failover sends at least: 4 fleets, 3 of 4 windows labelled, so every fleet takes at least
     * 3 optimizer steps over the run whenever the kill comes (a quiet machine kills after ~20 windows).
     */
    private static final int MIN_GEARBOX_INPUTS = 90;

    private record Failover(int sent, long killedAt, String killed, long restoredAfterMs, long recoveryMs, long restoredCheckpoint) {
    }

    /**
     * Paces one input every paceMs (send(i) for i = 0, 1, ...); once two checkpoints completed and some output is
     * committed, kill -9 the first TaskManager running the job; waits for the first committed output whose input was
     * sent after the kill (recovery time), keeps the load on until a further checkpoint completed after the restore,
     * and at least minInputs were sent, stops the load, starts a replacement TaskManager, waits for the expected
     * outputs and one more checkpoint.
     */
    private static <T> Failover failover(String job, String outputTopic, CommittedReader reader, Outputs<T> out,
                                         IntConsumer send, long paceMs,
                                         java.util.function.ToIntFunction<T> inputOf,
                                         java.util.function.IntUnaryOperator expectedOutputs, int minInputs)
            throws Exception {
        List<Long> sentAt = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = new Thread(() -> {
            long next = System.nanoTime();
            for (int i = 0; loading.get(); i++) {
                send.accept(i); // not interrupted: an input counts as sent once its flush returned
                sentAt.add(System.currentTimeMillis());
                next += TimeUnit.MILLISECONDS.toNanos(paceMs);
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "cluster-test-load");
        load.start();
        try {
            assertTrue(reader.await(() -> completed(job) >= 2 && !out.ids().isEmpty(), Duration.ofSeconds(90)),
                    () -> "no committed output before the kill: " + out.ids().size() + "; " + flink.rootException(job)
                            + "\n" + flink.logTails());
            String victim = flink.taskManagersOf(job).get(0);
            long killedAt = System.currentTimeMillis();
            flink.kill(victim);
            int sentBeforeKill = sentAt.size();
            log("killed " + victim + " at " + killedAt + " after " + sentBeforeKill + " inputs, "
                    + out.ids().size() + " outputs committed");
            assertTrue(reader.await(() -> out.firstArrivalAfter(killedAt, o -> sentAtOr(sentAt, inputOf.applyAsInt(o)) > killedAt) > 0,
                    Duration.ofSeconds(90)), () -> "no committed output after the kill; job " + state(job) + " "
                    + flink.rootException(job) + "\n" + flink.logTails());
            long firstAfter = out.firstArrivalAfter(killedAt, o -> sentAtOr(sentAt, inputOf.applyAsInt(o)) > killedAt);
            JsonNode restored = flink.checkpoints(job).path("latest").path("restored");
            long restoredCheckpoint = restored.path("id").asLong(-1);
            long restoredAfter = restored.path("restore_timestamp").asLong(killedAt) - killedAt;
            long completedAtRestore = completed(job);
            assertTrue(reader.await(() -> completed(job) >= completedAtRestore + 1, Duration.ofSeconds(60)),
                    "a checkpoint completed after the restore");
            // enough load that every model trains on both sides of the kill, however early a fast machine kills
            reader.await(() -> sentAt.size() >= minInputs, Duration.ofSeconds(2 * minInputs * paceMs / 1000 + 10));
            loading.set(false);
            load.join();
            int sent = sentAt.size();
            flink.startTaskManager(Duration.ofSeconds(90));
            int expected = expectedOutputs.applyAsInt(sent);
            assertTrue(reader.await(() -> out.ids().size() >= expected, Duration.ofSeconds(120)),
                    () -> out.ids().size() + " of " + expected + " outputs committed; job " + state(job) + "; records in "
                            + outputTopic + " read_uncommitted (committed, aborted and open transactions): "
                            + uncommitted(outputTopic) + "; checkpoints " + completed(job));
            reader.await(() -> false, Duration.ofMillis(CHECKPOINT_MS + 1000)); // a further checkpoint adds nothing
            assertEquals("RUNNING", flink.jobState(job));
            assertTrue(restoredCheckpoint > 0, "the job restored checkpoint " + restoredCheckpoint);
            return new Failover(sent, killedAt, victim, restoredAfter, firstAfter - killedAt, restoredCheckpoint);
        } finally {
            loading.set(false);
            load.join(30_000);
        }
    }

    /**
     * Records in the topic as a read_uncommitted consumer sees them: more than the committed count means outputs
     * written but not visible to read_committed (an open transaction holding back the last stable offset).
     */
    private static long uncommitted(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "uncommitted-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_uncommitted");
        p.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        long n = 0;
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            c.subscribe(List.of(topic));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end) {
                n += c.poll(Duration.ofMillis(500)).count();
            }
        }
        return n;
    }

    private static long sentAtOr(List<Long> sentAt, int i) {
        return i >= 0 && i < sentAt.size() ? sentAt.get(i) : Long.MAX_VALUE;
    }

    private static long completed(String job) {
        try {
            return flink.checkpoints(job).path("counts").path("completed").asLong();
        } catch (Exception e) {
            return -1; // the job is restarting
        }
    }

    private static String state(String job) {
        try {
            return flink.jobState(job);
        } catch (Exception e) {
            return "(state unknown: " + e.getMessage() + ")";
        }
    }

    private static void report(String name, Failover f) {
        log(String.format("%s failover: killed %s, %d inputs; restored checkpoint %d %d ms after the kill;"
                        + " first committed output of an input sent after the kill %d ms after it (%d-ms checkpoints)%n",
                name, f.killed, f.sent, f.restoredCheckpoint, f.restoredAfterMs, f.recoveryMs, CHECKPOINT_MS).trim());
    }

    private static void log(String line) {
        System.err.printf("cluster test [%5.1f s]: %s%n", (System.nanoTime() - STARTED) / 1e9, line);
    }

    /** Committed outputs by input id, with their arrival wall time; repeated ids kept apart. */
    private static final class Outputs<T> {
        private final java.util.function.Function<T, String> id;
        private final Map<String, T> byId = new ConcurrentHashMap<>();
        private final Map<String, Long> arrived = new ConcurrentHashMap<>();
        private final List<String> duplicates = Collections.synchronizedList(new ArrayList<>());

        Outputs(java.util.function.Function<T, String> id) {
            this.id = id;
        }

        void add(T o) {
            String k = id.apply(o);
            if (byId.putIfAbsent(k, o) != null) {
                duplicates.add(k);
            } else {
                arrived.put(k, System.currentTimeMillis());
            }
        }

        java.util.Set<String> ids() {
            return byId.keySet();
        }

        T get(String k) {
            return byId.get(k);
        }

        List<T> all() {
            return new ArrayList<>(byId.values());
        }

        List<String> duplicates() {
            return new ArrayList<>(duplicates);
        }

        long arrival(T o) {
            return arrived.get(id.apply(o));
        }

        /** Earliest arrival after t of an output that passes the filter; 0 if none. */
        long firstArrivalAfter(long t, java.util.function.Predicate<T> filter) {
            return byId.entrySet().stream().filter(e -> arrived.get(e.getKey()) > t && filter.test(e.getValue()))
                    .mapToLong(e -> arrived.get(e.getKey())).min().orElse(0);
        }

        /** Groups (by group) with outputs that arrived both before and after t. */
        long straddling(long t, java.util.function.Function<T, String> group) {
            Map<String, int[]> g = new LinkedHashMap<>();
            byId.forEach((k, o) -> g.computeIfAbsent(group.apply(o), x -> new int[2])[arrived.get(k) > t ? 1 : 0]++);
            return g.values().stream().filter(c -> c[0] > 0 && c[1] > 0).count();
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static List<String> sets(List<String> keyValues) {
        List<String> args = new ArrayList<>();
        for (String kv : keyValues) {
            args.add("--set");
            args.add(kv);
        }
        return args;
    }

    private static <T> T read(byte[] value, Class<T> type) {
        try {
            return Json.read(value, type);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void createTopics(List<NewTopic> topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Path jobJar() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("job/target"))) {
            return s.filter(p -> p.getFileName().toString().matches("tandem-job-.*-flink\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no job/target/tandem-job-*-flink.jar: the reactor's package "
                            + "phase builds it (mvn -B verify, or mvn -pl tools -am verify)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("no job/target: build the job module first (mvn -B verify)", e);
        }
    }
}
