package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench w4}: option errors name the option; a short real run (Kafka broker in its own JVM, the job on a Flink
 * mini cluster) answers every window, trains on every labelled one, and reports the figures of the JSON line. No
 * timing is asserted.
 */
class BenchW4CliTest {
    private static void assertNamed(TandemCliTest.Run r, String option) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("for " + option + "; allowed:"), r.err());
    }

    @Test
    void helpAndWrongValues() {
        TandemCliTest.Run help = TandemCliTest.run("bench", "w4", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("--max-lag"), help.out());
        assertNamed(TandemCliTest.run("bench", "w4", "--duration", "0"), "--duration");
        assertNamed(TandemCliTest.run("bench", "w4", "--warmup", "-1"), "--warmup");
        assertNamed(TandemCliTest.run("bench", "w4", "--max-lag", "0"), "--max-lag");
        assertNamed(TandemCliTest.run("bench", "w4", "--pool", "0"), "--pool");
        assertNamed(TandemCliTest.run("bench", "w4", "--label-every", "0"), "--label-every");
        assertNamed(TandemCliTest.run("bench", "w4", "--channels", "0"), "--channels");
        assertNamed(TandemCliTest.run("bench", "w4", "--recovery-window", "0"), "--recovery-window");
        assertNamed(TandemCliTest.run("bench", "w4", "--recovery-tolerance", "1"), "--recovery-tolerance");
        assertNamed(TandemCliTest.run("bench", "w4", "--first-n", "-1"), "--first-n");
        assertNamed(TandemCliTest.run("bench", "w4", "--phases", "a,b"), "--phases"); // only with --gearbox-data
        assertNamed(TandemCliTest.run("bench", "w4", "--phases", "a"), "--phases");
        assertNamed(TandemCliTest.run("bench", "w4", "--phases", "a,a"), "--phases");
        assertNamed(TandemCliTest.run("bench", "w4", "--phases", "a,"), "--phases");
        TandemCliTest.Run key = TandemCliTest.run("bench", "w4", "--set", "gearbox.batch=0");
        assertEquals(2, key.code(), key.err());
        assertTrue(key.err().contains("gearbox.batch"), key.err());
    }

    @Test
    void shortRunAnswersAndTrainsOnEveryLabelledWindow() throws Exception {
        TandemCliTest.Run r = TandemCliTest.run("bench", "w4", "--json", "--warmup", "4", "--duration", "6", "--pool", "16",
                "--label-every", "2", "--set", "gearbox.batch=4", "--set", "job.checkpoint-interval-ms=1000");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        long windows = j.get("windows").asLong();
        long labelled = j.get("labelled_windows").asLong();
        long trained = j.get("trained_windows").asLong();
        assertTrue(windows > 0, j.toString());
        // half the pool is labelled (machines demo-m1 and demo-m3); two partitions interleave them in any order
        assertTrue(labelled > 0 && labelled < windows, j.toString());
        assertTrue(Math.abs(trained - labelled) <= 2 * 4, j.toString()); // one step per 4 labelled windows
        long behind = j.get("labelled_total").asLong() - j.get("trained_total").asLong(); // the open batch and the last step
        assertTrue(behind >= 0 && behind <= 2 * 4, j.toString());
        assertTrue(j.get("windows_per_s").asDouble() > 0, j.toString());
        assertTrue(j.get("p50_ms").asLong() >= 0 && j.get("p99_ms").asLong() >= j.get("p50_ms").asLong(), j.toString());
        assertTrue(j.get("p99_visible_ms").asLong() >= j.get("p50_visible_ms").asLong(), j.toString());
        assertEquals(1000, j.get("checkpoint_interval_ms").asInt());
        assertEquals("4x2048", j.get("window").asText());
        assertEquals(0, j.get("dead_letters").asLong(), j.toString());
        assertTrue(j.get("jvm_cpu_ms_per_window").asDouble() > 0, j.toString());
        assertTrue(!j.get("backend").asText().isEmpty());
        // the prequential figures of the default replay: over the interval's labelled windows, no decision stage
        assertEquals(labelled, j.get("prequential_labelled").asLong(), j.toString());
        double accuracy = j.get("prequential_accuracy").asDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, j.toString());
        assertEquals(0.0, j.get("frozen_fraction").asDouble(), j.toString());
        assertTrue(!j.has("phases") && !j.has("recoveries") && !j.has("phase_cpu"), j.toString());
    }
}
