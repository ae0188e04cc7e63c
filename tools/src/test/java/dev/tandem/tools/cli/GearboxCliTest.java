package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of convert gfd, eval gearbox and bench w3: help, option errors naming the option, JSON. */
class GearboxCliTest {
    @TempDir
    Path tmp;

    @Test
    void everyGearboxSubcommandHasHelp() {
        for (String[] args : new String[][] {{"convert", "--help"}, {"convert", "gfd", "--help"},
                {"eval", "gearbox", "--help"}, {"bench", "w3", "--help"}}) {
            TandemCliTest.Run r = TandemCliTest.run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().contains("Usage"), String.join(" ", args));
        }
    }

    @Test
    void wrongValuesFailAtOnceNamingTheOption() throws Exception {
        Files.writeString(tmp.resolve("manifest.csv"), "file,label,sample_rate_hz,machine\na.csv,x,100,m1\nb.csv,y,100,m2\n");
        Files.writeString(tmp.resolve("a.csv"), "c\n" + "1\n".repeat(3000));
        Files.writeString(tmp.resolve("b.csv"), "c\n" + "2\n".repeat(3000));
        String dir = tmp.toString();
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--window", "100"), "--window");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--hop", "0"), "--hop");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--epochs", "0"), "--epochs");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--lr", "-1"), "--lr");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--snr", "loud"), "--snr");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--adapt", "labels"), "--adapt");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", tmp.resolve("nope").toString()), "--data");
        assertNamed(TandemCliTest.run("eval", "gearbox"), "--data");
        TandemCliTest.Run machines = TandemCliTest.run("eval", "gearbox", "--data", dir, "--machines", "m1,m9");
        assertNamed(machines, "--machines");
        assertTrue(machines.err().contains("m9") && machines.err().contains("m1, m2"), machines.err());
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--machines", "m1", "--shift-to", "m2"),
                "--shift-to");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--rpm", "m9=1797"), "--rpm");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--rpm", "m1=-3"), "--rpm");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--order-tracking", "maybe"), "--order-tracking");
        assertNamed(TandemCliTest.run("eval", "gearbox", "--data", dir, "--shift-pairs", "--shift-to", "m2"),
                "--shift-to");
        assertNamed(TandemCliTest.run("convert", "gfd", "--data", dir, "--out", dir, "--sample-rate", "-5"),
                "--sample-rate");
        assertNamed(TandemCliTest.run("convert", "gfd", "--data", dir, "--out", dir), "--sample-rate");
        assertNamed(TandemCliTest.run("convert", "gfd", "--data", dir, "--out", tmp.resolve("o").toString(),
                "--sample-rate", "100"), "--data");
        assertNamed(TandemCliTest.run("bench", "w3", "--infer-runs", "0"), "--infer-runs");
    }

    @Test
    void shiftPairsRunEveryOrderedPairOfMachines() throws Exception {
        Files.writeString(tmp.resolve("manifest.csv"), "file,label,sample_rate_hz,machine,rpm\n"
                + "a.csv,x,100,m1,1000\nb.csv,y,100,m1,1000\nc.csv,x,100,m2,1020\nd.csv,y,100,m2,1020\n");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(2);
        for (String f : new String[] {"a", "b", "c", "d"}) {
            StringBuilder sb = new StringBuilder("c\n");
            double hz = f.equals("a") || f.equals("c") ? 0.05 : 0.2;
            for (int i = 0; i < 3000; i++) {
                sb.append(String.format(java.util.Locale.ROOT, "%.4f%n", Math.sin(2 * Math.PI * hz * i) + 0.1 * rng.nextGaussian()));
            }
            Files.writeString(tmp.resolve(f + ".csv"), sb);
        }
        TandemCliTest.Run r = TandemCliTest.run("eval", "gearbox", "--data", tmp.toString(), "--window", "1024",
                "--epochs", "1", "--shift-pairs", "--order-tracking", "on", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals(2, j.get("shift_pairs").size());
        assertEquals("m1", j.get("shift_pairs").get(0).get("from").asText());
        assertEquals("m2", j.get("shift_pairs").get(0).get("to").asText());
        assertEquals("m1", j.get("shift_pairs").get(1).get("to").asText());
        assertTrue(j.get("order_tracking").asBoolean());
        double worst = Math.min(j.get("shift_pairs").get(0).get("shift_accuracy").asDouble(),
                j.get("shift_pairs").get(1).get("shift_accuracy").asDouble());
        assertEquals(worst, j.get("worst_shift_accuracy").asDouble(), 1e-6);
        assertTrue(r.out().contains("m1 -> m2: shift accuracy"), r.out());
    }

    @Test
    void benchW3ReportsTrainingAndInferenceAsJson() throws Exception {
        TandemCliTest.Run r = TandemCliTest.run("bench", "w3", "--json", "--batch", "4", "--warmup", "1", "--steps", "2",
                "--infer-runs", "5", "--no-pytorch");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals("W3", j.get("workload").asText());
        assertEquals(57_382, j.get("params").asLong());
        assertTrue(j.get("tandem_samples_per_s").asDouble() > 0, j.toString());
        assertTrue(j.get("tandem_infer_ms").asDouble() > 0, j.toString());
    }

    private static void assertNamed(TandemCliTest.Run r, String option) {
        assertEquals(2, r.code(), "expected a usage error naming " + option + "; out: " + r.out() + " err: " + r.err());
        assertTrue(r.err().contains(option), "error should name " + option + ": " + r.err());
    }
}
