package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.learning.tensor.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The CUDA fallback through the command line, on a machine without a GPU (skipped where CUDA is usable):
 * {@code tandem info --json} lists cuda as unusable with the reason and auto takes a CPU backend; asking for cuda
 * (the --backend option, or compute.backend for a job) fails at start-up with one line naming the setting, not a
 * stack trace.
 */
class CudaFallbackCliTest {
    private static final boolean CUDA_USABLE = Backends.candidates().stream()
            .anyMatch(c -> c.name().equals("cuda") && c.usable());

    @Test
    void infoShowsCudaUnavailableWithTheReason() throws Exception {
        assumeFalse(CUDA_USABLE, "CUDA is usable here");
        TandemCliTest.Run r = TandemCliTest.run("info", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        JsonNode cuda = null;
        for (JsonNode b : j.get("backends")) {
            if (b.get("name").asText().equals("cuda")) {
                cuda = b;
            }
        }
        assertNotNull(cuda, "cuda missing from " + j);
        assertFalse(cuda.get("usable").asBoolean());
        assertTrue(cuda.get("reason").asText().contains("no CUDA driver"), cuda.toString());
        assertNotEquals("cuda", j.get("chosen").asText());
        assertTrue(j.get("reason").asText().contains("cuda unusable"), j.toString());
        assertTrue(r.out().contains("cuda   unusable"), r.out());
    }

    @Test
    void askingForCudaFailsAtStartUpNamingTheSetting() {
        assumeFalse(CUDA_USABLE, "CUDA is usable here");
        TandemCliTest.Run r = TandemCliTest.run("info", "--backend", "cuda");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().startsWith("tandem: compute.backend = cuda is not usable here: no CUDA driver"), r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
    }

    @Test
    void aJobWithComputeBackendCudaFailsBeforeItStarts() {
        assumeFalse(CUDA_USABLE, "CUDA is usable here");
        TandemCliTest.Run r = TandemCliTest.run("run", "gearbox", "--set", "compute.backend=cuda",
                "--set", "kafka.bootstrap-servers=127.0.0.1:1");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("compute.backend = cuda is not usable here"), r.err());
    }
}
