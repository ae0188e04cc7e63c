package dev.tandem.tools.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A real single-node KRaft Kafka broker (kafka_2.13 from this classpath) in its own JVM, for the embedded mode:
 * free ports on 127.0.0.1, data in a temporary folder, {@code kafka.tools.StorageTool format} then
 * {@code kafka.Kafka server.properties}. {@link #close} (also run by a shutdown hook, so Ctrl-C is covered) stops
 * the process and its descendants and deletes the folder.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;
    private final String host;
    private final Thread hook;
    private volatile boolean closed;

    private EmbeddedKafka(Path dir, Process process, String host, int port) {
        this.dir = dir;
        this.host = host;
        this.process = process;
        this.port = port;
        this.hook = new Thread(this::stop, "tandem-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** A broker listening on 127.0.0.1 only. */
    public static EmbeddedKafka start(Duration timeout) throws IOException, InterruptedException {
        return start(timeout, "127.0.0.1");
    }

    /**
     * A broker whose listeners (client and controller) bind to host ({@code local.bind-address}); clients reach it
     * at host, or at 127.0.0.1 when host is the wildcard.
     */
    public static EmbeddedKafka start(Duration timeout, String bindHost) throws IOException, InterruptedException {
        String bind = bindHost.trim();
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        String listen = bind.contains(":") ? "[" + bind + "]" : bind;
        String reach = host.contains(":") ? "[" + host + "]" : host;
        Path dir = Files.createTempDirectory("tandem-kafka-");
        int port = freePort();
        int controller = freePort();
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + reach + ":" + controller,
                "listeners=PLAINTEXT://" + listen + ":" + port + ",CONTROLLER://" + listen + ":" + controller,
                "advertised.listeners=PLAINTEXT://" + reach + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "message.max.bytes=8388608",
                // Records keep their own timestamps, and replays of recorded data are years old: with time-based
                // retention the broker's first retention check would delete them under the job's feet.
                "log.retention.ms=-1",
                "") );
        String classpath = classpath();
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        Process format = new ProcessBuilder(java(), "-Xmx256m", "-cp", classpath, "kafka.tools.StorageTool", "format",
                "-t", clusterId, "-c", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            String log = Files.readString(dir.resolve("format.log"));
            deleteTree(dir);
            throw new IOException("formatting the Kafka storage failed: " + log);
        }
        // the broker shares this classpath, slf4j-simple included: warnings only in broker.log
        Process broker = new ProcessBuilder(java(), "-Xmx512m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath, "kafka.Kafka",
                props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("broker.log").toFile()).start();
        EmbeddedKafka kafka = new EmbeddedKafka(dir, broker, host, port);
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!broker.isAlive()) {
                String log = Files.readString(dir.resolve("broker.log"));
                kafka.close();
                throw new IOException("the Kafka broker exited with " + broker.exitValue() + ": " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return kafka;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        kafka.close();
        throw new IOException("the Kafka broker did not open port " + port + " within " + timeout.toSeconds() + " s");
    }

    public String bootstrapServers() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroy();
        all.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary folder
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The classpath for the broker JVM: {@code tandem.kafka.classpath} if set, else this JVM's classpath, with a
     * manifest-only jar (as Maven Surefire uses) expanded into its Class-Path entries.
     */
    static String classpath() throws IOException {
        String explicit = System.getProperty("tandem.kafka.classpath");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String cp = System.getProperty("java.class.path");
        String[] parts = cp.split(java.io.File.pathSeparator);
        if (parts.length == 1 && parts[0].endsWith(".jar")) {
            try (JarFile jar = new JarFile(parts[0])) {
                Manifest m = jar.getManifest();
                String extra = m == null ? null : m.getMainAttributes().getValue("Class-Path");
                if (extra != null) {
                    List<String> out = new ArrayList<>();
                    for (String e : extra.trim().split("\\s+")) {
                        out.add(e.startsWith("file:") ? Path.of(URI.create(e)).toString() : e);
                    }
                    return String.join(java.io.File.pathSeparator, out);
                }
            }
        }
        return cp;
    }

    /** Reads the broker log (diagnostics). */
    public String log() {
        try (InputStream in = Files.newInputStream(dir.resolve("broker.log"))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
