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
     * SASL_SSL on the client listener (the broker's only one besides the KRaft controller's): TLS with the key
     * store given, SCRAM with the users given, created in the metadata log when the storage is formatted (what
     * {@code kafka-storage format --add-scram} does). The first user is the broker's own, for its connections to
     * itself (transaction markers). {@code trustStore} holds the CA of the broker's certificate.
     */
    public record SaslSsl(Path keyStore, Path trustStore, String storePassword, String mechanism,
                          java.util.LinkedHashMap<String, String> users) {
        public SaslSsl {
            if (users.isEmpty()) {
                throw new IllegalArgumentException("SASL_SSL needs at least one SCRAM user (the broker's own)");
            }
        }

        /** A user's password must not close the --add-scram value (']', ',', '=') or the JAAS string ('"', '\\'). */
        private static String checked(String s) {
            if (!s.matches("[A-Za-z0-9_.@+-]+")) {
                throw new IllegalArgumentException("SCRAM user names and passwords here: letters, digits, _ . @ + -");
            }
            return s;
        }
    }

    /** A SASL_SSL broker on 127.0.0.1 (see {@link SaslSsl}); for the security integration test. */
    public static EmbeddedKafka startSaslSsl(Duration timeout, SaslSsl security) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        EmbeddedKafka kafka = start(timeout, "127.0.0.1", security);
        // the port opens before the broker serves authenticated clients: wait until one of them gets an answer
        var user = security.users().entrySet().iterator().next();
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", security.mechanism());
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user.getKey() + "\" password=\"" + user.getValue() + "\";");
        p.put("ssl.truststore.location", security.trustStore().toString());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", security.storePassword());
        Exception last = null;
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            while (System.nanoTime() < end) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return kafka;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    last = e;
                    Thread.sleep(500);
                }
            }
        }
        kafka.close();
        throw new IOException("the SASL_SSL broker did not answer an authenticated client within " + timeout.toSeconds()
                + " s: " + last + "; broker log: " + kafka.log());
    }

    /**
     * A broker whose listeners (client and controller) bind to host ({@code local.bind-address}); clients reach it
     * at host, or at 127.0.0.1 when host is the wildcard.
     */
    public static EmbeddedKafka start(Duration timeout, String bindHost) throws IOException, InterruptedException {
        return start(timeout, bindHost, null);
    }

    private static EmbeddedKafka start(Duration timeout, String bindHost, SaslSsl security)
            throws IOException, InterruptedException {
        String bind = bindHost.trim();
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        String listen = bind.contains(":") ? "[" + bind + "]" : bind;
        String reach = host.contains(":") ? "[" + host + "]" : host;
        Path dir = Files.createTempDirectory("tandem-kafka-");
        int port = freePort();
        int controller = freePort();
        Path props = dir.resolve("server.properties");
        String client = security == null ? "PLAINTEXT" : "SASL_SSL";
        List<String> secured = security == null ? List.of() : saslSslSettings(security);
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + reach + ":" + controller,
                "listeners=" + client + "://" + listen + ":" + port + ",CONTROLLER://" + listen + ":" + controller,
                "advertised.listeners=" + client + "://" + reach + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + client,
                "listener.security.protocol.map=" + client + ":" + client + ",CONTROLLER:PLAINTEXT",
                String.join("\n", secured),
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
        // the broker shares this classpath, log4j2 included: its own configuration, warnings only, in broker.log
        Path logConfig = dir.resolve("broker-log4j2.properties");
        Files.writeString(logConfig, String.join("\n", "status = warn",
                "appender.console.type = Console", "appender.console.name = console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = [%d{HH:mm:ss.SSS}] [%t] %level %c - %msg%n",
                "rootLogger.level = WARN", "rootLogger.appenderRef.console.ref = console", ""));
        List<String> formatCommand = new ArrayList<>(List.of(java(), "-Xmx256m",
                "-Dlog4j2.configurationFile=" + logConfig.toUri(), "-cp", classpath,
                "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props.toString()));
        if (security != null) {
            security.users().forEach((user, password) -> formatCommand.addAll(List.of("--add-scram",
                    security.mechanism() + "=[name=" + SaslSsl.checked(user) + ",password=" + SaslSsl.checked(password) + "]")));
        }
        Process format = new ProcessBuilder(formatCommand)
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            String log = Files.readString(dir.resolve("format.log"));
            deleteTree(dir);
            throw new IOException("formatting the Kafka storage failed: " + log);
        }
        List<String> brokerCommand = new ArrayList<>(List.of(java(), "-Xmx512m", "-XX:+UseSerialGC"));
        // TANDEM_BROKER_JAVA_OPTS: extra JVM options for the broker, e.g. a flight recording to profile it
        String extra = System.getenv("TANDEM_BROKER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            brokerCommand.addAll(List.of(extra.trim().split("\\s+")));
        }
        brokerCommand.addAll(List.of("-Dlog4j2.configurationFile=" + logConfig.toUri(), "-cp", classpath, "kafka.Kafka",
                props.toString()));
        Process broker = new ProcessBuilder(brokerCommand)
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

    /** The broker side of SASL_SSL: TLS key and trust stores, SCRAM, and the broker's own login. */
    private static List<String> saslSslSettings(SaslSsl s) {
        var broker = s.users().entrySet().iterator().next();
        String mechanism = s.mechanism();
        return List.of(
                "sasl.enabled.mechanisms=" + mechanism,
                "sasl.mechanism.inter.broker.protocol=" + mechanism,
                "listener.name.sasl_ssl." + mechanism.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + SaslSsl.checked(broker.getKey()) + "\" password=\"" + SaslSsl.checked(broker.getValue()) + "\";",
                "ssl.keystore.location=" + s.keyStore(),
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.password=" + s.storePassword(),
                "ssl.truststore.location=" + s.trustStore(),
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.password=" + s.storePassword(),
                "ssl.client.auth=none",
                // one partition for the group coordinator's log instead of 50: on a loaded 2-core machine creating 50
                // took the controller half a minute ("Exceptionally slow controller event createTopics")
                "offsets.topic.num.partitions=1");
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
