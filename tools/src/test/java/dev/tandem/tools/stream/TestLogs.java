package dev.tandem.tools.stream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tests' log file (log4j2-test.properties, {@code tandem.log.file}, set by the tools module's surefire
 * configuration): Flink's and Kafka's warnings plus the Kafka sink's and the checkpoint coordinator's INFO lines.
 * A Kafka integration test adds its tail to the message of a wait that timed out, so that a rare stall of the
 * exactly-once commits (docs/STREAMING.md, "Known issues") shows in the build output what the sink and the
 * checkpoints were doing.
 */
final class TestLogs {
    private TestLogs() {
    }

    /** The test log file, or null when the tests log elsewhere. */
    static Path file() {
        String file = System.getProperty("tandem.log.file");
        return file == null || file.equals("System.err") || file.equals("System.out") ? null : Path.of(file);
    }

    /** "\n--- last n lines of FILE ---\n…", or a line saying why there is none. */
    static String tail(int n) {
        String file = System.getProperty("tandem.log.file");
        if (file == null || file.equals("System.err") || file.equals("System.out")) {
            return "\n(no test log file: run through the job module's surefire configuration)";
        }
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - n), lines.size());
            return "\n--- last " + last.size() + " lines of " + file + " ---\n" + String.join("\n", last);
        } catch (IOException e) {
            return "\n(test log " + file + " unreadable: " + e + ")";
        }
    }
}
