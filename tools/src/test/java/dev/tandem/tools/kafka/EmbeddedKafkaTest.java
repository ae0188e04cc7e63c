package dev.tandem.tools.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded mode's broker: a real KRaft Kafka in its own JVM that leaves no process or folder behind. */
class EmbeddedKafkaTest {
    @Test
    void startsARealBrokerInItsOwnJvmAndLeavesNothingBehind() throws Exception {
        long pid;
        Path dir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Duration.ofSeconds(90))) {
            pid = kafka.pid();
            dir = kafka.directory();
            assertTrue(pid != ProcessHandle.current().pid());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "broker process " + pid + " is gone");
        assertFalse(Files.exists(dir), "data folder deleted");
    }
}
