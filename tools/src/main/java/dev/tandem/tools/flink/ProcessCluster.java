package dev.tandem.tools.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Flink standalone session cluster from Maven Central jars, without flink-dist or Docker: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), each in its own JVM on
 * the classpath {@link FlinkClasspath} resolves, with one {@code config.yaml} in {@code DIR/conf}, logs in
 * {@code DIR/<name>.out}, checkpoints and savepoints under {@code DIR}. TaskManager {@code tm-i} registers with
 * resource id {@code tm-i}, so a test can {@link #kill} the one a task runs on (SIGKILL, as a crashed machine) and
 * {@link #startTaskManager start a replacement}. Driven through the JobManager's REST API only, as a user would.
 *
 * <p>Failure detection is tuned for fast recovery ({@link #FAST_FAILOVER}): heartbeats every second, a dead
 * TaskManager declared lost after 2 unanswered heartbeat RPCs or 6 s, and a fixed-delay restart 500 ms later.
 */
public final class ProcessCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What flink-dist's config.yaml passes to every Flink JVM (env.java.default-opts.all) on Java 17. */
    private static final List<String> FLINK_JVM_OPTS = List.of(
            // the vectorised float sums (FloatReductions), as the tandem script and the images run them
            "--add-modules=jdk.incubator.vector",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    /** Heartbeats and restart strategy for a killed TaskManager to be noticed and its tasks redeployed in seconds. */
    public static final Map<String, String> FAST_FAILOVER = Map.of(
            "heartbeat.interval", "1000",
            "heartbeat.timeout", "6000",
            "heartbeat.rpc-failure-threshold", "2",
            "restart-strategy.type", "fixed-delay",
            "restart-strategy.fixed-delay.attempts", "100",
            "restart-strategy.fixed-delay.delay", "500 ms");

    /**
     * How to start the cluster.
     *
     * @param taskManagers  TaskManagers started at once (each its own JVM)
     * @param slots         task slots per TaskManager
     * @param taskHeapMb    task heap of each TaskManager (MiB); ND4J's off-heap memory comes on top (task off-heap)
     * @param extraConfig   further config.yaml entries (override the defaults)
     * @param taskManagerJvmOptions further JVM options of every TaskManager
     */
    public record Settings(int taskManagers, int slots, int taskHeapMb, Map<String, String> extraConfig,
                           List<String> taskManagerJvmOptions) {
        public Settings {
            if (taskManagers < 1 || slots < 1) {
                throw new IllegalArgumentException("taskManagers and slots must be >= 1, got " + taskManagers + " and " + slots);
            }
            extraConfig = Map.copyOf(extraConfig);
            taskManagerJvmOptions = List.copyOf(taskManagerJvmOptions);
        }

        public static Settings of(int taskManagers, int slots) {
            return new Settings(taskManagers, slots, 512, FAST_FAILOVER, List.of());
        }
    }

    private final Path dir;
    private final Path conf;
    private final String classpath;
    private final Settings settings;
    private final int restPort;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Thread hook = new Thread(this::stopAll, "tandem-flink-cluster-shutdown");
    private final List<String> killed = new ArrayList<>();
    private int nextTaskManager = 1;

    private ProcessCluster(Path dir, Path conf, String classpath, Settings settings, int restPort) {
        this.dir = dir;
        this.conf = conf;
        this.classpath = classpath;
        this.settings = settings;
        this.restPort = restPort;
    }

    /** Writes the configuration, starts the JobManager and the TaskManagers, waits until all registered. */
    public static ProcessCluster start(String classpath, Path dir, Settings settings, Duration timeout) throws Exception {
        int rest = freePort();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(freePort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(rest));
        // the job jar carries ND4J's native libraries (~155 MB); the default upload limit is 100 MiB
        c.put("rest.server.max-content-length", Integer.toString(512 << 20));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(settings.slots()));
        // a job of parallelism p takes one slot on each of p TaskManagers, so killing one leaves the others' work
        c.put("cluster.evenly-spread-out-slots", "true");
        c.put("parallelism.default", "1");
        c.put("io.tmp.dirs", tmp.toString());
        c.put("web.tmpdir", tmp.toString());
        c.put("blob.storage.directory", tmp.toString());
        c.put("high-availability.type", "NONE");
        c.put("state.checkpoints.dir", dir.resolve("checkpoints").toUri().toString());
        c.put("state.savepoints.dir", dir.resolve("savepoints").toUri().toString());
        c.put("jobmanager.memory.process.size", "768m");
        // TaskManagerRunner expects what Flink's start scripts compute: every memory component set explicitly
        c.put("taskmanager.cpu.cores", Integer.toString(settings.slots()));
        c.put("taskmanager.memory.framework.heap.size", "128m");
        c.put("taskmanager.memory.framework.off-heap.size", "128m");
        c.put("taskmanager.memory.task.heap.size", settings.taskHeapMb() + "m");
        c.put("taskmanager.memory.task.off-heap.size", "256m");
        c.put("taskmanager.memory.network.min", "64m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.memory.managed.size", "32m");
        c.put("taskmanager.memory.jvm-metaspace.size", "256m");
        c.put("taskmanager.memory.jvm-overhead.min", "192m");
        c.put("taskmanager.memory.jvm-overhead.max", "192m");
        c.putAll(settings.extraConfig());
        StringBuilder yaml = new StringBuilder();
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());

        ProcessCluster cluster = new ProcessCluster(dir, conf, classpath, settings, rest);
        Runtime.getRuntime().addShutdownHook(cluster.hook);
        try {
            cluster.launch("jobmanager", List.of("-Xmx512m"),
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of());
            cluster.awaitRest(timeout);
            for (int i = 0; i < settings.taskManagers(); i++) {
                cluster.launchTaskManager();
            }
            cluster.awaitTaskManagers(settings.taskManagers(), timeout);
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException(e.getMessage() + "\n" + cluster.logTails(), e);
        }
    }

    private String launchTaskManager() throws IOException {
        String id = "tm-" + nextTaskManager++;
        List<String> jvm = new ArrayList<>();
        jvm.add("-Xmx" + (settings.taskHeapMb() + 128) + "m");
        jvm.add("-XX:MaxDirectMemorySize=512m");
        jvm.add("-XX:+UseSerialGC");
        jvm.add("-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("user.home") + "/.javacpp/cache");
        jvm.addAll(settings.taskManagerJvmOptions());
        launch(id, jvm, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                List.of("-Dtaskmanager.resource-id=" + id));
        return id;
    }

    private void launch(String name, List<String> jvm, String mainClass, List<String> dynamic) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLINK_JVM_OPTS);
        cmd.addAll(jvm);
        cmd.add("-Dlog.file=" + dir.resolve(name + ".log"));
        // the cluster classpath logs through slf4j-simple: timestamps make a failover's timeline readable
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        cmd.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        cmd.addAll(List.of("-cp", classpath, mainClass, "--configDir", conf.toString()));
        cmd.addAll(dynamic);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
        processes.put(name, p);
    }

    private void awaitRest(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                get("/overview");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end || !processes.get("jobmanager").isAlive()) {
                    throw new IOException("the JobManager's REST endpoint did not come up on port " + restPort, e);
                }
                Thread.sleep(300);
            }
        }
    }

    private void awaitTaskManagers(int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (registeredTaskManagers().size() < n) {
            if (System.nanoTime() > end || processes.entrySet().stream().anyMatch(e -> !e.getValue().isAlive() && !killed.contains(e.getKey()))) {
                throw new IOException("only " + registeredTaskManagers() + " of " + n + " TaskManagers registered");
            }
            Thread.sleep(300);
        }
    }

    /** Resource ids of the TaskManagers the JobManager knows now (GET /taskmanagers). */
    public List<String> registeredTaskManagers() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        get("/taskmanagers").path("taskmanagers").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    /** Resource ids of the TaskManagers that run at least one subtask of the job (GET /jobs/:id/taskmanagers). */
    public List<String> taskManagersOf(String jobId) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            for (JsonNode t : get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers").path("taskmanagers")) {
                String id = t.path("taskmanager-id").asText();
                if (!id.isEmpty() && !ids.contains(id)) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    /** kill -9 of one TaskManager's JVM (SIGKILL: no shutdown hook, no goodbye to the JobManager). */
    public void kill(String taskManager) throws InterruptedException {
        Process p = processes.get(taskManager);
        if (p == null || !p.isAlive()) {
            throw new IllegalArgumentException("no running TaskManager " + taskManager + "; running: " + processes.keySet());
        }
        killed.add(taskManager);
        p.destroyForcibly(); // SIGKILL on Linux
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts one more TaskManager and waits until it registered; returns its resource id. */
    public String startTaskManager(Duration timeout) throws Exception {
        String id = launchTaskManager();
        long end = System.nanoTime() + timeout.toNanos();
        while (!registeredTaskManagers().contains(id)) {
            if (System.nanoTime() > end || !processes.get(id).isAlive()) {
                throw new IOException("TaskManager " + id + " did not register\n" + logTails());
            }
            Thread.sleep(300);
        }
        return id;
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public Path directory() {
        return dir;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return check(r, "GET " + path);
    }

    private JsonNode post(String path, Object body, Duration timeout) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        return check(http.send(req, HttpResponse.BodyHandlers.ofString()), "POST " + path);
    }

    /** POST /jars/upload (multipart, field jarfile); returns the jar id the cluster gave it. */
    public String upload(Path jar) throws IOException, InterruptedException {
        String boundary = "tandem" + System.nanoTime();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest req = HttpRequest.newBuilder(URI.create(restUrl() + "/jars/upload")).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofString(tail))).build();
        JsonNode r = check(http.send(req, HttpResponse.BodyHandlers.ofString()), "POST /jars/upload");
        return Path.of(r.path("filename").asText()).getFileName().toString();
    }

    /** POST /jars/:id/run; returns the job id. savepoint: the savepoint or retained checkpoint to restore, or null. */
    public String run(String jarId, String entryClass, List<String> args, String savepoint)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entryClass", entryClass);
        body.put("programArgsList", args);
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        return post("/jars/" + jarId + "/run", body, Duration.ofMinutes(3)).path("jobid").asText();
    }

    /** Waits until every task of the job is RUNNING (not only the job: its tasks may still be deploying). */
    public void awaitRunning(String jobId, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode job = get("/jobs/" + jobId);
            String state = job.path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new IllegalStateException("job " + jobId + " is " + state + ": " + rootException(jobId) + "\n" + logTails());
            }
            boolean all = state.equals("RUNNING");
            for (JsonNode v : job.path("vertices")) {
                all &= v.path("status").asText().equals("RUNNING");
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("job " + jobId + " not running after " + timeout + " (" + state + ")\n" + logTails());
            }
            Thread.sleep(200);
        }
    }

    /** The job's state (RUNNING, RESTARTING, FAILED, ...). */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** The root exception of the job, if any (GET /jobs/:id/exceptions). */
    public String rootException(String jobId) {
        try {
            JsonNode ex = get("/jobs/" + jobId + "/exceptions");
            String root = ex.path("rootException").asText("");
            return root.isEmpty() ? ex.path("exceptionHistory").path("entries").path(0).path("stacktrace").asText("") : root;
        } catch (Exception e) {
            return "(no exception history: " + e.getMessage() + ")";
        }
    }

    /** GET /jobs/:id/checkpoints: counts, latest completed and restored checkpoint. */
    public JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /**
     * Stop with a savepoint (POST /jobs/:id/stop, then polling the trigger): the sources stop, a final savepoint is
     * written under target (a directory URI) and the Kafka transactions are committed. Returns the savepoint's path.
     */
    public String stopWithSavepoint(String jobId, String target, Duration timeout) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("targetDirectory", target);
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body, Duration.ofSeconds(30)).path("request-id").asText();
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JsonNode s = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (s.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode op = s.path("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("stop-with-savepoint failed: " + op.path("failure-cause") + "\n" + logTails());
                }
                return op.path("location").asText();
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("stop-with-savepoint of " + jobId + " not done after " + timeout + "\n" + logTails());
    }

    /** PATCH /jobs/:id?mode=cancel. */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
                .timeout(Duration.ofSeconds(30)).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** Cancels the job and waits until it is terminal, so that its slots are free for the next one. */
    public void cancelAndWait(String jobId, Duration timeout) throws Exception {
        if (List.of("CANCELED", "FAILED", "FINISHED").contains(jobState(jobId))) {
            return;
        }
        cancel(jobId);
        long end = System.nanoTime() + timeout.toNanos();
        while (!List.of("CANCELED", "FAILED", "FINISHED").contains(jobState(jobId))) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("job " + jobId + " still " + jobState(jobId) + " after cancel");
            }
            Thread.sleep(200);
        }
    }

    private static JsonNode check(HttpResponse<String> r, String what) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** The last lines of every process's output, for failure messages. */
    public String logTails() {
        StringBuilder b = new StringBuilder();
        for (String name : processes.keySet()) {
            Path f = dir.resolve(name + ".out");
            try {
                if (Files.exists(f)) {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    b.append("--- ").append(name).append(" (").append(f).append(") ---\n");
                    lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> b.append(l).append('\n'));
                }
            } catch (IOException e) {
                b.append("cannot read ").append(f).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return b.toString();
    }

    private synchronized void stopAll() {
        List<Process> all = new ArrayList<>(processes.values());
        for (int i = all.size() - 1; i >= 0; i--) { // TaskManagers first, the JobManager last
            Process p = all.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) already
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
