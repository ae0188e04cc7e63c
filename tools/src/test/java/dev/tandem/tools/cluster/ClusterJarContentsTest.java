package dev.tandem.tools.cluster;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster jar ({@code job/target/tandem-job-*-flink.jar}, built by the job module before this module's tests
 * run in the reactor) holds the deployable job and what it needs, and no tool code: no class of
 * {@code dev.tandem.tools}, no picocli, no Kafka broker (kafka_2.13), no Flink runtime (the cluster provides it).
 */
class ClusterJarContentsTest {
    @Test
    void clusterJarHoldsTheJobAndNoTools() throws Exception {
        Path jar;
        try (Stream<Path> s = Files.list(Path.of("../job/target"))) {
            jar = s.filter(p -> p.getFileName().toString().matches("tandem-job-.*-flink\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no job/target/tandem-job-*-flink.jar: the job module was not packaged"));
        }
        List<String> names = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            f.stream().forEach(e -> names.add(e.getName()));
        }
        List<String> forbidden = names.stream().filter(n -> n.startsWith("dev/tandem/tools/")
                || n.startsWith("picocli/") || (n.startsWith("kafka/") && n.endsWith(".class")) || n.startsWith("org/apache/flink/runtime/")
                || n.startsWith("org/apache/flink/streaming/api/environment/")).limit(10).toList();
        assertEquals(List.of(), forbidden, "tool or cluster-provided classes in " + jar);
        for (String needed : List.of("dev/tandem/job/stream/GearboxMain.class", "dev/tandem/job/stream/RainfallMain.class",
                "dev/tandem/operators/gearbox/FleetTrainerFunction.class", "dev/tandem/learning/nn/Sequential.class",
                "dev/tandem/backend/nd4j/Nd4jBackend.class", "org/apache/flink/connector/kafka/source/KafkaSource.class",
                "dev/tandem/backend/cuda/CudaBackend.class", "dev/tandem/backend/cuda/tandem.ptx",
                "jcuda/driver/JCudaDriver.class", "lib/libJCudaDriver-12.6.0-linux-x86_64.so",
                "config/defaults.properties")) {
            assertTrue(names.contains(needed), needed + " missing from " + jar);
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("dev/tandem/models/")), "no domain model classes in " + jar);
        assertTrue(names.stream().noneMatch(n -> n.startsWith("lib/libJNvrtc") || n.startsWith("lib/libJNvPTXCompiler")),
                "JCuda natives other than the driver API's in " + jar);
    }
}
