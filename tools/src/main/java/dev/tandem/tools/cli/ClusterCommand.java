package dev.tandem.tools.cli;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.tools.demo.RainfallDemo;
import dev.tandem.tools.flink.FlinkClasspath;
import dev.tandem.tools.flink.ProcessCluster;
import dev.tandem.tools.kafka.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code tandem cluster}: the jobs on a real multi-process Flink session cluster on this machine
 * ({@link ProcessCluster}), with a Kafka broker in its own JVM; the job jar goes in through the REST API.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Start a Kafka broker, a Flink JobManager (standalone session) and N TaskManagers, each its own",
                "JVM on a Flink classpath resolved from Maven (scripts/flink-cluster/pom.xml), checkpoints in DIR;",
                "create the topics, submit the job jar through the REST API (POST /jars/upload, /jars/:id/run), print",
                "the web UI address, and run until Ctrl-C or --duration. Everything started is stopped. Feed it with",
                "./tandem replay gearbox|weather --bootstrap ADDRESS."})
final class ClusterCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "JOB", arity = "0..2", description = "Jobs to submit: gearbox, rainfall (default: gearbox).")
    List<String> jobs = new ArrayList<>(List.of("gearbox"));

    @Option(names = "--taskmanagers", paramLabel = "N", defaultValue = "2",
            description = "TaskManagers (JVMs). Default: ${DEFAULT-VALUE}.")
    int taskManagers;

    @Option(names = "--slots", paramLabel = "S", defaultValue = "2",
            description = "Task slots per TaskManager. Default: ${DEFAULT-VALUE}.")
    int slots;

    @Option(names = "--task-heap-mb", paramLabel = "MB", defaultValue = "1024",
            description = "Task heap of each TaskManager (MiB). Default: ${DEFAULT-VALUE}.")
    int taskHeapMb;

    @Option(names = "--jar", paramLabel = "FILE",
            description = "The job jar (default: job/target/tandem-job-*-flink.jar; mvn -B package -DskipTests builds it).")
    Path jar;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Folder for the cluster's configuration, logs, checkpoints and savepoints (default: a new temporary one, kept).")
    Path dir;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop after this many seconds (0: run until Ctrl-C). Default: ${DEFAULT-VALUE}.")
    int duration;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        for (String j : jobs) {
            if (!j.equals("gearbox") && !j.equals("rainfall")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown job '" + j + "'; allowed: gearbox, rainfall");
            }
        }
        if (taskManagers < 1 || slots < 1 || taskHeapMb < 64) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--taskmanagers and --slots must be >= 1 and --task-heap-mb >= 64");
        }
        Path root = Path.of(System.getProperty("tandem.home", ".")).toAbsolutePath().normalize();
        TandemConfig checked = configOptions.load(); // invalid keys fail here, before anything starts
        Path jobJar = jar != null ? jar : defaultJar(root);
        if (!Files.isRegularFile(jobJar)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no job jar " + jobJar);
        }
        Path home = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("tandem-cluster-");
        System.err.println("cluster: resolving the Flink classpath (Maven, offline after the first time) ...");
        String classpath = FlinkClasspath.resolve(root);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
             ProcessCluster flink = ProcessCluster.start(classpath, home, new ProcessCluster.Settings(taskManagers, slots,
                     taskHeapMb, ProcessCluster.FAST_FAILOVER, List.of()), Duration.ofSeconds(180))) {
            List<String> args = new ArrayList<>();
            if (configOptions.file != null) {
                args.addAll(List.of("--config", configOptions.file.toAbsolutePath().toString()));
            }
            for (String s : configOptions.sets) {
                args.addAll(List.of("--set", s));
            }
            args.addAll(List.of("--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "--set", "job.checkpoint-dir=" + home.resolve("checkpoints").toUri()));
            TandemConfig c = configOptions.load();
            createTopics(kafka.bootstrapServers(), c);
            System.err.println("cluster: uploading " + jobJar + " ...");
            String jarId = flink.upload(jobJar);
            for (String j : jobs) {
                String entry = j.equals("gearbox") ? GearboxMain.class.getName() : RainfallMain.class.getName();
                List<String> jobArgs = new ArrayList<>(args);
                if (jobs.size() > 1) { // two jobs: their sinks' transactional ids must differ
                    jobArgs.addAll(List.of("--set", "job.transactional-id-prefix=" + checked.string("job.transactional-id-prefix") + "-" + j));
                }
                String id = flink.run(jarId, entry, jobArgs, null);
                System.err.println("cluster: " + j + " job " + id + " submitted");
            }
            System.out.println("Flink web UI: " + flink.restUrl());
            System.out.println("Kafka: " + kafka.bootstrapServers());
            System.out.println("Cluster folder (config, logs, checkpoints): " + home);
            System.out.println("Feed it: ./tandem replay gearbox --bootstrap " + kafka.bootstrapServers()
                    + "  |  ./tandem replay weather --data FILE --bootstrap " + kafka.bootstrapServers());
            System.out.println(duration > 0 ? "Running for " + duration + " s." : "Ctrl-C stops everything.");
            if (duration > 0) {
                TimeUnit.SECONDS.sleep(duration);
            } else {
                Thread.currentThread().join(); // until Ctrl-C; the shutdown hooks stop the JVMs started
            }
        }
        return 0;
    }

    private static Path defaultJar(Path root) throws IOException {
        Path target = root.resolve("job/target");
        if (!Files.isDirectory(target)) {
            return target.resolve("tandem-job-<version>-flink.jar (build it: mvn -B package -DskipTests)");
        }
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("tandem-job-.*-flink\\.jar")).findFirst()
                    .orElse(target.resolve("tandem-job-<version>-flink.jar (build it: mvn -B package -DskipTests)"));
        }
    }

    private void createTopics(String bootstrap, TandemConfig c) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        int partitions = c.integer("topics.partitions");
        if (jobs.contains("gearbox")) {
            topics.add(new NewTopic(c.string("topics.gearbox-windows"), partitions, (short) 1)
                    .configs(Map.of("max.message.bytes", "8388608")));
            topics.add(new NewTopic(c.string("topics.gearbox-predictions"), partitions, (short) 1));
            topics.add(new NewTopic(c.string("topics.gearbox-alerts"), partitions, (short) 1));
        }
        if (jobs.contains("rainfall")) {
            topics.addAll(RainfallDemo.topics(c));
        }
        topics.add(new NewTopic(c.string("topics.dead-letters"), 1, (short) 1).configs(Map.of("retention.ms", "-1")));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }
}
