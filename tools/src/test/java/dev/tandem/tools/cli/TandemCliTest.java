package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TandemCliTest {

    record Run(int code, String out, String err) {
        JsonNode lastJson() throws Exception {
            String[] lines = out.strip().split("\n");
            return JsonOutput.mapper().readTree(lines[lines.length - 1]);
        }
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = Tandem.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void infoListsBackendsAndTheAutoChoiceWithItsReason() throws Exception {
        Run r = run("info", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertTrue(j.get("backends").size() >= 2, "java and nd4j expected: " + j);
        boolean gpu = false;
        for (JsonNode b : j.get("backends")) {
            gpu |= b.get("name").asText().equals("cuda") && b.get("usable").asBoolean();
        }
        assertEquals(gpu ? "cuda" : "nd4j", j.get("chosen").asText(), j.toString());
        assertTrue(j.get("reason").asText().contains("auto"), j.toString());
    }

    @Test
    void everySubcommandHasHelp() {
        for (String[] args : new String[][] {{"--help"}, {"info", "--help"}, {"eval", "--help"}, {"eval", "mnist", "--help"}, {"eval", "optimizers", "--help"},
                {"bench", "--help"}, {"bench", "w1", "--help"}}) {
            Run r = run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().contains("Usage"), String.join(" ", args));
        }
    }

    @Test
    void wrongValuesFailAtOnceNamingTheOption() {
        Run epochs = run("eval", "mnist", "--epochs", "-1");
        assertEquals(2, epochs.code());
        assertTrue(epochs.err().contains("--epochs"), epochs.err());

        Run backend = run("eval", "mnist", "--backend", "bogus");
        assertEquals(2, backend.code());
        assertTrue(backend.err().contains("compute.backend") && backend.err().contains("allowed"), backend.err());

        Run unknown = run("bench", "w1", "--no-such-option");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--no-such-option"), unknown.err());

        Run notANumber = run("bench", "w1", "--steps", "many");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().contains("--steps"), notANumber.err());
    }

    @Test
    void benchW1ReportsItsFiguresAsJson() throws Exception {
        Run r = run("bench", "w1", "--json", "--batch", "8", "--warmup", "1", "--steps", "3", "--no-pytorch", "--profile");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals("W1", j.get("workload").asText());
        assertTrue(j.get("tandem_samples_per_s").asDouble() > 0, j.toString());
        assertTrue(j.get("tandem_layer_ms").size() > 0, j.toString());
    }
}
