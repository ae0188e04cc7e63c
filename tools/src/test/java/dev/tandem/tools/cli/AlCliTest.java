package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command lines of eval al and bench w6: option errors naming the option, and their JSON on tiny budgets. */
class AlCliTest {
    @Test
    void optionErrorsNameTheOption() {
        assertNamed(TandemCliTest.run("eval", "al", "--sets", "cifar"), "--sets");
        assertNamed(TandemCliTest.run("eval", "al", "--sets", "gearbox"), "--sets");
        assertNamed(TandemCliTest.run("eval", "al", "--epochs", "0"), "--epochs");
        assertNamed(TandemCliTest.run("eval", "al", "--first-decoder-loss", "hinge"), "--first-decoder-loss");
        assertNamed(TandemCliTest.run("bench", "w6", "--components", "0"), "--components");
        assertNamed(TandemCliTest.run("bench", "w6", "--batches", "0"), "--batches");
    }

    @Test
    void evalAlComparesBothModelsOnTheSameBudget() throws Exception {
        TandemCliTest.Run r = TandemCliTest.run("eval", "al", "--json", "--sets", "mnist-mlp", "--train", "1000",
                "--epochs", "4", "--lr", "0.003", "--hidden", "64,64", "--backend", "java");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        JsonNode set = j.get("sets").get(0);
        assertEquals("mnist-mlp", set.get("set").asText());
        assertEquals(1000, set.get("train_examples").asInt());
        assertEquals(9_000, set.get("test_examples").asInt());
        assertTrue(set.get("al_accuracy").asDouble() > 0.5, "AL learned: " + set);
        assertTrue(set.get("bp_accuracy").asDouble() > 0.5, "backprop learned: " + set);
        double gap = 100 * (set.get("bp_accuracy").asDouble() - set.get("al_accuracy").asDouble());
        assertEquals(gap, j.get("max_gap_points").asDouble(), 0.02);
        assertTrue(Math.abs(set.get("al_params").asLong() - set.get("bp_params").asLong())
                < 0.01 * set.get("al_params").asLong(), "parameter-matched: " + set);
    }

    @Test
    void benchW6ReportsBothModelsStagesAndPredictions() throws Exception {
        TandemCliTest.Run r = TandemCliTest.run("bench", "w6", "--json", "--model", "mlp", "--components", "2", "--width", "32",
                "--label-width", "16", "--batch", "8", "--batches", "6", "--warmup", "2", "--backend", "java");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertTrue(j.get("bp_examples_per_s").asDouble() > 0, j.toString());
        assertEquals(2, j.get("measured").size());
        for (JsonNode m : j.get("measured")) {
            assertTrue(m.get("al_over_bp").asDouble() > 0, m.toString());
            assertEquals(2, m.get("stage_busy_ms_per_batch").size());
            assertTrue(m.get("balance").asDouble() >= 1.0, m.toString());
            assertTrue(m.get("process_cpu_ms_per_batch").asDouble() >= 0, m.toString());
            assertTrue(m.has("outside_stages_cpu_ms_per_batch"), m.toString());
        }
        assertEquals(4096, j.get("network_segment_kib").asInt()); // the bench default: no record spans buffers
        assertEquals(1, j.get("measured").get(0).get("slots").asInt());
        assertEquals(2, j.get("measured").get(1).get("slots").asInt());
        assertEquals(2, j.get("component_ms_per_batch").size());
        JsonNode p = j.get("predicted_al_over_bp_by_slots");
        assertTrue(p.get("2").asDouble() >= p.get("1").asDouble() && p.get("16").asDouble() == p.get("2").asDouble(),
                "two stages use at most two slots: " + p);
    }

    private static void assertNamed(TandemCliTest.Run r, String option) {
        assertEquals(2, r.code(), "expected a usage error naming " + option + "; out: " + r.out() + " err: " + r.err());
        assertTrue(r.err().contains(option), "error should name " + option + ": " + r.err());
    }
}
