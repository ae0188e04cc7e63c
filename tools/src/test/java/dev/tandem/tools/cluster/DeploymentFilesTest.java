package dev.tandem.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.job.config.TandemConfig;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docker/ checked without a Docker engine: the Dockerfile, the compose file, prometheus.yml and the Kubernetes
 * FlinkDeployment parsed (YAML through Jackson) and held against the code — the image tag against the build's Flink
 * version, the jar path, the entry classes (they exist and have a main), ports (Kafka listeners, REST, the
 * Prometheus reporter and its scrape targets), every Tandem {@code --set} key (a key of TandemConfig, and the values
 * pass its start-up check), every Flink key (a ConfigOption of Flink's, or a reporter option, and the value parses),
 * the metrics reporter factory (on the classpath, pinned to the build's Flink version, installed into the image) and
 * the checkpoint and savepoint directories (on the shared volume).
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SET = Pattern.compile("--set\\s+(\\S+?)=(\\S+)");
    private static String dockerfile;
    private static JsonNode compose;
    private static List<JsonNode> k8s;
    private static String pom;
    private static Map<String, ConfigOption<?>> flinkOptions;

    @BeforeAll
    static void read() throws Exception {
        dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        // SnakeYAML (under Jackson's YAML module) resolves the compose file's anchors and merge keys (<<: *flink-conf)
        Object composeYaml = new org.yaml.snakeyaml.Yaml().load(Files.readString(DOCKER.resolve("docker-compose.yml")));
        compose = new ObjectMapper().valueToTree(composeYaml);
        try (var docs = YAML.readerFor(JsonNode.class).readValues(DOCKER.resolve("k8s/flink-deployment.yaml").toFile())) {
            k8s = new ArrayList<>();
            docs.forEachRemaining(d -> k8s.add((JsonNode) d));
        }
        pom = Files.readString(ROOT.resolve("pom.xml"));
        flinkOptions = flinkOptions();
    }

    private static String property(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), "pom property " + name);
        return m.group(1).replace("${flink.version}", property0("flink.version"));
    }

    private static String property0(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), "pom property " + name);
        return m.group(1);
    }

    // --- Dockerfile ---

    @Test
    void imageIsTheOfficialFlinkOfTheBuildWithTheJarInUsrlibAndNativesUnpackedOnce() throws Exception {
        String flink = property0("flink.version");
        String minor = flink.substring(0, flink.lastIndexOf('.'));
        assertTrue(dockerfile.contains("\nFROM flink:" + minor + "-java17\n"), "FROM flink:" + minor + "-java17");
        assertTrue(dockerfile.contains("COPY --chown=flink:flink job/target/tandem-job-*-flink.jar /opt/flink/usrlib/tandem-job.jar"),
                "the job jar in /opt/flink/usrlib");
        assertTrue(ROOT.resolve("job/pom.xml").toFile().isFile());
        String jobPom = Files.readString(ROOT.resolve("job/pom.xml"));
        assertTrue(jobPom.contains("<shadedClassifierName>flink</shadedClassifierName>"), "the jar the COPY names is the shaded -flink one");
        // ND4J's natives are unpacked at build time into the folder every Flink JVM is pointed at
        Matcher run = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.cachedir=(\\S+) -cp /opt/flink/usrlib/tandem-job\\.jar\\s*\\\\?\\s*(\\S+)")
                .matcher(dockerfile);
        assertTrue(run.find(), "a RUN that unpacks the natives with the job jar");
        String cache = run.group(1);
        hasMain(run.group(2));
        // and every Flink JVM adds the Vector API module (FloatReductions' vectorised sums)
        String opts = "--add-modules jdk.incubator.vector -Dorg.bytedeco.javacpp.cachedir=" + cache;
        assertEquals(opts, composeFlinkConf().get("env.java.opts.all"));
        assertEquals(opts, k8sDeployment().at("/spec/flinkConfiguration/env.java.opts.all").asText());
    }

    @Test
    void prometheusReporterIsPinnedOnTheClasspathAndInstalledIntoTheImage() throws Exception {
        String pinned = property("flink.metrics-prometheus.version");
        assertEquals(property0("flink.version"), pinned, "the reporter of the build's Flink version");
        for (Map<String, String> conf : List.of(composeFlinkConf(), k8sFlinkConf())) {
            String factory = conf.get("metrics.reporter.prom.factory.class");
            assertNotNull(factory, "a Prometheus reporter in " + conf.keySet());
            Class<?> c = Class.forName(factory);
            assertTrue(MetricReporterFactory.class.isAssignableFrom(c), factory + " is a MetricReporterFactory");
            String jar = c.getProtectionDomain().getCodeSource().getLocation().getPath();
            assertTrue(jar.endsWith("flink-metrics-prometheus-" + pinned + ".jar"), "from the pinned jar: " + jar);
        }
        assertTrue(dockerfile.contains("COPY --chown=flink:flink job/target/docker-plugins/flink-metrics-prometheus-*.jar "
                + "/opt/flink/plugins/metrics-prometheus/"), "the reporter installed as a Flink plugin");
        String jobPom = Files.readString(ROOT.resolve("job/pom.xml"));
        assertTrue(jobPom.contains("<artifactId>flink-metrics-prometheus</artifactId>")
                && jobPom.contains("<version>${flink.metrics-prometheus.version}</version>")
                && jobPom.contains("${project.build.directory}/docker-plugins"), "job/pom.xml copies the pinned reporter");
        Path copied = ROOT.resolve("job/target/docker-plugins/flink-metrics-prometheus-" + pinned + ".jar");
        if (Files.isRegularFile(copied)) { // after mvn package
            try (JarFile j = new JarFile(copied.toFile())) {
                assertNotNull(j.getEntry(composeFlinkConf().get("metrics.reporter.prom.factory.class").replace('.', '/') + ".class"));
            }
        }
    }

    // --- compose ---

    @Test
    void composeRunsKraftKafkaAnApplicationModeJobManagerTwoTaskManagersAndPrometheus() throws Exception {
        JsonNode services = compose.path("services");
        JsonNode kafka = services.path("kafka").path("environment");
        assertTrue(kafka.path("KAFKA_PROCESS_ROLES").asText().contains("controller"), "KRaft: the broker is its own controller");
        assertTrue(kafka.path("KAFKA_LISTENERS").asText().contains("EXTERNAL://:9094"));
        assertTrue(kafka.path("KAFKA_ADVERTISED_LISTENERS").asText().contains("EXTERNAL://localhost:9094"));
        assertTrue(strings(services.path("kafka").path("ports")).contains("9094:9094"));
        assertTrue(kafka.path("KAFKA_ADVERTISED_LISTENERS").asText().contains("INTERNAL://kafka:9092"));

        JsonNode jm = services.path("jobmanager");
        String command = jm.path("command").asText();
        assertTrue(command.startsWith("standalone-job --job-classname "), "application mode: " + command);
        hasMain(command.split("\\s+")[2]);
        Map<String, String> sets = sets(command);
        assertEquals("kafka:9092", sets.get("kafka.bootstrap-servers"), "the job reaches the broker's INTERNAL listener");
        checkTandemKeys(sets);
        long transactionTimeout = TandemConfig.defaults(setList(sets)).integer("job.transaction-timeout-ms");
        assertTrue(transactionTimeout <= kafka.path("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").asLong(),
                "job.transaction-timeout-ms " + transactionTimeout + " fits the broker's transaction.max.timeout.ms");

        List<String> taskManagers = new ArrayList<>();
        services.fields().forEachRemaining(e -> {
            if (e.getValue().path("command").asText().equals("taskmanager")) {
                taskManagers.add(e.getKey());
            }
        });
        assertEquals(2, taskManagers.size(), "two TaskManagers: " + taskManagers);
        Map<String, String> conf = composeFlinkConf();
        checkFlinkKeys(conf);
        int rest = conf.containsKey("rest.port") ? Integer.parseInt(conf.get("rest.port")) : RestOptions.PORT.defaultValue();
        assertTrue(strings(jm.path("ports")).contains(rest + ":" + rest), "REST/UI port " + rest + " published");
        assertEquals("jobmanager", conf.get("jobmanager.rpc.address"));
        assertTrue(services.has("jobmanager"));

        // checkpoints and savepoints on the volume every Flink container mounts
        for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir")) {
            assertTrue(conf.get(key).startsWith("file:///flink-data/"), key + " = " + conf.get(key));
        }
        assertEquals(conf.get("execution.checkpointing.dir"), sets.get("job.checkpoint-dir"));
        assertTrue(compose.path("volumes").has("flink-data"));
        for (String s : List.of("jobmanager", taskManagers.get(0), taskManagers.get(1))) {
            assertTrue(strings(services.path(s).path("volumes")).contains("flink-data:/flink-data"), s + " mounts flink-data");
            assertEquals(conf, flinkConf(services.path(s).path("environment").path("FLINK_PROPERTIES").asText()),
                    s + " has the shared Flink configuration");
        }

        // Prometheus scrapes the reporter's port on the JobManager and both TaskManagers
        String port = conf.get("metrics.reporter.prom.port");
        JsonNode prometheus = YAML.readTree(DOCKER.resolve("prometheus.yml").toFile());
        Set<String> targets = new TreeSet<>(strings(prometheus.at("/scrape_configs/0/static_configs/0/targets")));
        assertEquals(new TreeSet<>(List.of("jobmanager:" + port, taskManagers.get(0) + ":" + port,
                taskManagers.get(1) + ":" + port)), targets);
        JsonNode prom = services.path("prometheus");
        assertTrue(strings(prom.path("volumes")).contains("./prometheus.yml:/etc/prometheus/prometheus.yml:ro"));
        assertTrue(prom.path("image").asText().matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+"), "a pinned Prometheus image");
    }

    // --- Kubernetes ---

    @Test
    void flinkDeploymentIsApplicationModeOnTheOperatorWithSavepointUpgradesOnAPersistentVolume() throws Exception {
        JsonNode d = k8sDeployment();
        assertEquals("flink.apache.org/v1beta1", d.path("apiVersion").asText());
        assertEquals("v2_2", d.at("/spec/flinkVersion").asText());
        assertEquals("savepoint", d.at("/spec/job/upgradeMode").asText());
        String jar = d.at("/spec/job/jarURI").asText();
        assertEquals("local:///opt/flink/usrlib/tandem-job.jar", jar);
        assertTrue(dockerfile.contains(" " + jar.substring("local://".length())), "the jar the image holds");
        hasMain(d.at("/spec/job/entryClass").asText());
        Map<String, String> sets = new LinkedHashMap<>();
        Matcher m = SET.matcher(String.join(" ", strings(d.at("/spec/job/args"))));
        while (m.find()) {
            sets.put(m.group(1), m.group(2));
        }
        assertTrue(sets.containsKey("kafka.bootstrap-servers") && sets.containsKey("job.transactional-id-prefix"), sets.toString());
        checkTandemKeys(sets);
        assertEquals(d.at("/spec/job/parallelism").asText(), sets.get("job.parallelism"));

        Map<String, String> conf = k8sFlinkConf();
        checkFlinkKeys(conf);
        String volume = null;
        for (JsonNode mount : d.at("/spec/podTemplate/spec/containers/0/volumeMounts")) {
            if (conf.get("execution.checkpointing.dir").startsWith("file://" + mount.path("mountPath").asText() + "/")) {
                volume = mount.path("name").asText();
            }
        }
        assertNotNull(volume, "checkpoints on a mounted volume");
        assertTrue(conf.get("execution.checkpointing.savepoint-dir").startsWith("file:///flink-data/"));
        String claim = null;
        for (JsonNode v : d.at("/spec/podTemplate/spec/volumes")) {
            if (v.path("name").asText().equals(volume)) {
                claim = v.at("/persistentVolumeClaim/claimName").asText(null);
            }
        }
        assertNotNull(claim, "the volume is a PersistentVolumeClaim");
        String claimName = claim;
        JsonNode pvc = k8s.stream().filter(x -> x.path("kind").asText().equals("PersistentVolumeClaim")
                && x.at("/metadata/name").asText().equals(claimName)).findFirst().orElse(null);
        assertNotNull(pvc, "the claim " + claim + " is defined");
        assertTrue(strings(pvc.at("/spec/accessModes")).contains("ReadWriteMany"), "shared by the JobManager and TaskManagers");
        assertEquals(conf.get("metrics.reporter.prom.port"),
                d.at("/spec/podTemplate/spec/containers/0/ports/0/containerPort").asText());
        assertEquals(d.at("/spec/image").asText(), "tandem:0.1.0");
    }

    // --- helpers ---

    private static JsonNode k8sDeployment() {
        return k8s.stream().filter(x -> x.path("kind").asText().equals("FlinkDeployment")).findFirst()
                .orElseThrow(() -> new AssertionError("a FlinkDeployment"));
    }

    private static Map<String, String> k8sFlinkConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        k8sDeployment().at("/spec/flinkConfiguration").fields().forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    private static Map<String, String> composeFlinkConf() throws IOException {
        return flinkConf(compose.at("/x-flink-conf/FLINK_PROPERTIES").asText());
    }

    private static Map<String, String> flinkConf(String yaml) throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        YAML.readTree(yaml).fields().forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    private static Map<String, String> sets(String command) {
        Map<String, String> sets = new LinkedHashMap<>();
        Matcher m = SET.matcher(command);
        while (m.find()) {
            sets.put(m.group(1), m.group(2));
        }
        return sets;
    }

    private static String[] setList(Map<String, String> sets) {
        return sets.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    /** Every key is TandemConfig's, and the values pass its start-up check. */
    private static void checkTandemKeys(Map<String, String> sets) {
        Set<String> known = new TreeSet<>();
        TandemConfig.KEYS.forEach(k -> known.add(k.name()));
        for (String k : sets.keySet()) {
            assertTrue(known.contains(k), "--set " + k + " is not a TandemConfig key");
        }
        TandemConfig.defaults(setList(sets)); // throws naming the key and the allowed values
    }

    /** Every key is one of Flink's ConfigOptions (or a reporter's option), and its value parses. */
    private static void checkFlinkKeys(Map<String, String> conf) throws Exception {
        Configuration c = Configuration.fromMap(conf);
        Set<String> reporterOptions = reporterOptionSuffixes();
        for (Map.Entry<String, String> e : conf.entrySet()) {
            String key = e.getKey();
            Matcher reporter = Pattern.compile("metrics\\.reporter\\.[a-zA-Z0-9_-]+\\.(.+)").matcher(key);
            if (reporter.matches()) {
                assertTrue(reporterOptions.contains(reporter.group(1)), key + ": not a reporter option " + reporterOptions);
                continue;
            }
            ConfigOption<?> option = flinkOptions.get(key);
            assertNotNull(option, key + " is not a Flink ConfigOption");
            try {
                c.get(option);
            } catch (RuntimeException ex) {
                fail(key + ": value '" + e.getValue() + "' does not parse: " + ex.getMessage());
            }
        }
    }

    /** The options Flink's reporter setup reads, and the Prometheus reporter's own ("port"). */
    private static Set<String> reporterOptionSuffixes() throws Exception {
        Set<String> s = new TreeSet<>();
        for (Field f : MetricOptions.class.getFields()) {
            if (f.getName().startsWith("REPORTER_") && f.get(null) instanceof ConfigOption<?> o) {
                s.add(o.key());
            }
        }
        Field port = Class.forName("org.apache.flink.metrics.prometheus.PrometheusReporterFactory").getDeclaredField("ARG_PORT");
        port.setAccessible(true);
        s.add((String) port.get(null));
        return s;
    }

    /** Every public static ConfigOption of the *Options classes of Flink's configuration package, by key. */
    private static Map<String, ConfigOption<?>> flinkOptions() throws Exception {
        Map<String, ConfigOption<?>> out = new HashMap<>();
        Path jar = Path.of(CoreOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile j = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = j.entries();
            while (entries.hasMoreElements()) {
                String n = entries.nextElement().getName();
                if (!n.startsWith("org/apache/flink/configuration/") || !n.endsWith("Options.class")
                        || n.substring("org/apache/flink/configuration/".length()).contains("/")) {
                    continue;
                }
                Class<?> c = Class.forName(n.replace('/', '.').replace(".class", ""));
                for (Field f : c.getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                        ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                        out.put(o.key(), o);
                        for (FallbackKey k : o.fallbackKeys()) {
                            out.put(k.getKey(), o);
                        }
                    }
                }
            }
        }
        assertTrue(out.containsKey("execution.checkpointing.dir") && out.containsKey("taskmanager.memory.task.off-heap.size"),
                "Flink's options were found (" + out.size() + ")");
        return out;
    }

    private static void hasMain(String className) throws Exception {
        Method main = Class.forName(className).getMethod("main", String[].class);
        assertTrue(Modifier.isStatic(main.getModifiers()), className + ".main is static");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
