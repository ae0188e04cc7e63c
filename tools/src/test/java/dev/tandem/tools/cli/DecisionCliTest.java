package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.tools.eval.DecisionExperimentTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionCliTest {
    @TempDir
    Path tmp;

    @Test
    void helpWrongValuesAndTheJsonLine() throws Exception {
        TandemCliTest.Run help = TandemCliTest.run("eval", "decision", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--short-epochs") && help.out().contains("--snr"), help.out());
        String dir = DecisionExperimentTest.impulses(tmp).toString();
        assertNamed(TandemCliTest.run("eval", "decision", "--data", dir, "--short-epochs", "0"), "--short-epochs");
        assertNamed(TandemCliTest.run("eval", "decision", "--data", dir, "--features", "logits"), "--features");
        assertNamed(TandemCliTest.run("eval", "decision", "--data", dir, "--svm-c", "-1"), "--svm-c");
        assertNamed(TandemCliTest.run("eval", "decision", "--data", dir, "--reservoir", "1"), "--reservoir");
        assertNamed(TandemCliTest.run("eval", "decision", "--data", dir, "--window", "100"), "--window");
        assertNamed(TandemCliTest.run("eval", "decision"), "--data");

        TandemCliTest.Run r = TandemCliTest.run("eval", "decision", "--data", dir, "--window", "1024", "--epochs", "1",
                "--short-epochs", "1", "--patience", "1", "--backend", "java", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        for (String entry : new String[] {"full", "svm", "mlp"}) {
            assertTrue(j.get(entry).get("holdout_accuracy").asDouble() > 0, j.toString());
            assertTrue(j.get(entry).get("gradient_steps").asLong() > 0, j.toString());
            assertTrue(j.get(entry).has("seconds") && j.get(entry).has("base_seconds"), j.toString());
        }
        assertTrue(j.get("svm").has("time_reduction") && j.has("best_time_reduction"), j.toString());
        assertEquals(4, j.get("classes").asInt());
        assertTrue(j.has("oracle_reaches_threshold_at_epochs"), j.toString());
        double oracle = j.get("argmax_short").get("oracle_accuracy").asDouble();
        assertTrue(oracle > 0 && oracle <= 1, j.toString());
        assertTrue(r.out().contains("| (b) short + SVM |"), r.out());
    }

    private static void assertNamed(TandemCliTest.Run r, String option) {
        assertEquals(2, r.code(), "expected a usage error naming " + option + "; out: " + r.out() + " err: " + r.err());
        assertTrue(r.err().contains(option), "error should name " + option + ": " + r.err());
    }
}
