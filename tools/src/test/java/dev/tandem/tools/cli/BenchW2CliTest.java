package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of bench w2: help, option errors naming the option, the JSON figures (peer skipped). */
class BenchW2CliTest {
    @Test
    void helpAndOptionErrors() {
        TandemCliTest.Run help = TandemCliTest.run("bench", "w2", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("Usage") && help.out().contains("--batches"), help.out());
        assertNamed(TandemCliTest.run("bench", "w2", "--batches", "0"), "--batches");
        assertNamed(TandemCliTest.run("bench", "w2", "--batches", "1,x"), "--batches");
        assertNamed(TandemCliTest.run("bench", "w2", "--steps", "0"), "--steps");
        assertNamed(TandemCliTest.run("bench", "w2", "--warmup", "-1"), "--warmup");
        assertNamed(TandemCliTest.run("bench", "w2", "--threads", "0"), "--threads");
        assertNamed(TandemCliTest.run("bench", "w2", "--isa", "sse2"), "--isa");
    }

    @Test
    void reportsMsPerStepAndGflopsPerBatchAsJson() throws Exception {
        TandemCliTest.Run r = TandemCliTest.run("bench", "w2", "--json", "--batches", "1,2", "--warmup", "0",
                "--steps", "1", "--no-pytorch", "--profile");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals("W2", j.get("workload").asText());
        assertEquals(58_180, j.get("params").asLong());
        for (String b : new String[] {"_b1", "_b2"}) {
            assertTrue(j.get("tandem_median_step_ms" + b).asDouble() > 0, j.toString());
            assertTrue(j.get("tandem_gflops" + b).asDouble() > 0, j.toString());
            assertTrue(j.get("tandem_phase_ms" + b).has("conv forward"), j.toString());
        }
        // where it ran: the machine, the JVM's vector width, the native build, and each convolution's kernel
        JsonNode env = j.get("environment");
        assertTrue(!env.get("cpu_model").asText().isBlank(), env.toString());
        assertEquals("native", env.get("isa").asText());
        assertTrue(env.get("jvm_use_avx").asText().matches("[0-3]"), env.toString());
        assertTrue(env.has("load_average_at_start") && env.has("isa_environment"), env.toString());
        if (j.get("backend").asText().equals("nd4j")) {
            assertEquals("linux-x86_64-onednn-avx2", env.get("nd4j_native_build").asText(), env.toString());
            assertTrue(env.get("libnd4j_build").asText().contains("HAVE_ONEDNN"), env.toString());
            JsonNode choices = j.get("kernel_choices");
            assertTrue(choices.size() > 0, j.toString());
            // every value names a path (which one per shape is OneDnnConvParityTest's business)
            choices.fields().forEachRemaining(e -> assertTrue(e.getKey().startsWith("conv2d ")
                    && !e.getValue().asText().isBlank(), choices.toString()));
        }
    }

    private static void assertNamed(TandemCliTest.Run r, String option) {
        assertEquals(2, r.code(), "expected a usage error naming " + option + "; out: " + r.out() + " err: " + r.err());
        assertTrue(r.err().contains(option), "error should name " + option + ": " + r.err());
    }
}
