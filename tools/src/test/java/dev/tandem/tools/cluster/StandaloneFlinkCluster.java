package dev.tandem.tools.cluster;

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
 * A real Flink standalone session cluster from Maven Central jars, without flink-dist: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and one TaskManager ({@code TaskManagerRunner}) in their own JVMs on a
 * classpath given as a file (what {@code scripts/flink-cluster/pom.xml} resolves: flink-runtime, -streaming-java,
 * -clients, -connector-base, slf4j-simple), with a {@code config.yaml} in a folder of their own and logs next to it.
 * Talks to the JobManager through its REST API only (upload, run, job status, cancel), as a user would.
 */
final class StandaloneFlinkCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What flink-dist's config.yaml passes to every Flink JVM (env.java.default-opts.all) on Java 17. */
    private static final List<String> FLINK_JVM_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    private final Path dir;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private StandaloneFlinkCluster(Path dir, int restPort) {
        this.dir = dir;
        this.restPort = restPort;
    }

    /** Writes the configuration, starts the JobManager and the TaskManager, waits until the TaskManager registered. */
    static StandaloneFlinkCluster start(String classpath, Path dir, Duration timeout) throws Exception {
        int rest = freePort();
        int rpc = freePort();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(rpc));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(rest));
        // the job jar carries ND4J's native libraries (~155 MB); the default upload limit is 100 MiB
        c.put("rest.server.max-content-length", Integer.toString(512 << 20));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", "2");
        c.put("parallelism.default", "1");
        c.put("io.tmp.dirs", tmp.toString());
        c.put("web.tmpdir", tmp.toString());
        c.put("blob.storage.directory", tmp.toString());
        c.put("high-availability.type", "NONE");
        c.put("jobmanager.memory.process.size", "1024m");
        // TaskManagerRunner expects what Flink's start scripts compute: every memory component set explicitly
        c.put("taskmanager.cpu.cores", "2");
        c.put("taskmanager.memory.framework.heap.size", "128m");
        c.put("taskmanager.memory.framework.off-heap.size", "128m");
        c.put("taskmanager.memory.task.heap.size", "1024m");
        c.put("taskmanager.memory.task.off-heap.size", "256m");
        c.put("taskmanager.memory.network.min", "64m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.memory.managed.size", "64m");
        c.put("taskmanager.memory.jvm-metaspace.size", "256m");
        c.put("taskmanager.memory.jvm-overhead.min", "192m");
        c.put("taskmanager.memory.jvm-overhead.max", "192m");
        StringBuilder yaml = new StringBuilder();
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());

        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(dir, rest);
        try {
            cluster.launch("jobmanager", classpath, conf, List.of("-Xmx768m"),
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            cluster.awaitRest(timeout);
            cluster.launch("taskmanager", classpath, conf, List.of("-Xmx1300m", "-XX:MaxDirectMemorySize=512m",
                            "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("user.home") + "/.javacpp/cache"),
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            cluster.awaitTaskManager(timeout);
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException(e.getMessage() + "\n" + cluster.logTails(), e);
        }
    }

    private void launch(String name, String classpath, Path conf, List<String> jvm, String mainClass) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLINK_JVM_OPTS);
        cmd.addAll(jvm);
        cmd.add("-Dlog.file=" + dir.resolve(name + ".log"));
        cmd.addAll(List.of("-cp", classpath, mainClass, "--configDir", conf.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
        processes.add(p);
    }

    private void awaitRest(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                get("/overview");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end || processes.stream().anyMatch(p -> !p.isAlive())) {
                    throw new IOException("the JobManager's REST endpoint did not come up on port " + restPort, e);
                }
                Thread.sleep(500);
            }
        }
    }

    private void awaitTaskManager(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (get("/overview").path("taskmanagers").asInt() < 1) {
            if (System.nanoTime() > end || processes.stream().anyMatch(p -> !p.isAlive())) {
                throw new IOException("no TaskManager registered with the JobManager");
            }
            Thread.sleep(500);
        }
    }

    String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return check(r, "GET " + path);
    }

    /** POST /jars/upload (multipart, field jarfile); returns the jar id the cluster gave it. */
    String upload(Path jar) throws IOException, InterruptedException {
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

    /** POST /jars/:id/run; returns the job id. */
    String run(String jarId, String entryClass, List<String> args) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entryClass", entryClass);
        body.put("programArgsList", args);
        body.put("parallelism", 1);
        HttpRequest req = HttpRequest.newBuilder(URI.create(restUrl() + "/jars/" + jarId + "/run")).timeout(Duration.ofMinutes(3))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        return check(http.send(req, HttpResponse.BodyHandlers.ofString()), "POST /jars/" + jarId + "/run").path("jobid").asText();
    }

    /** The job's state (RUNNING, FAILED, ...). */
    String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** The root exception of the job, if any (GET /jobs/:id/exceptions). */
    String rootException(String jobId) throws IOException, InterruptedException {
        JsonNode ex = get("/jobs/" + jobId + "/exceptions");
        String root = ex.path("rootException").asText("");
        return root.isEmpty() ? ex.path("exceptionHistory").path("entries").path(0).path("stacktrace").asText("") : root;
    }

    /** PATCH /jobs/:id?mode=cancel. */
    void cancel(String jobId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
                .timeout(Duration.ofSeconds(30)).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode check(HttpResponse<String> r, String what) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** The last lines of the JobManager's and TaskManager's output, for failure messages. */
    String logTails() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("jobmanager", "taskmanager")) {
            Path f = dir.resolve(name + ".out");
            try {
                if (Files.exists(f)) {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    b.append("--- ").append(name).append(" (").append(f).append(") ---\n");
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
                }
            } catch (IOException e) {
                b.append("cannot read ").append(f).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
