package dev.tandem.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of convert weather-aus and eval rainfall: help, option errors naming the option, JSON. */
class RainfallCliTest {
    @TempDir
    Path tmp;

    @Test
    void everyRainfallSubcommandHasHelp() {
        for (String[] args : new String[][] {{"convert", "weather-aus", "--help"}, {"eval", "rainfall", "--help"},
                {"replay", "weather", "--help"}}) {
            TandemCliTest.Run r = TandemCliTest.run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().contains("Usage"), String.join(" ", args));
        }
    }

    private Path smallFile() throws Exception {
        StringBuilder sb = new StringBuilder("time,station,lat,lon,rain_mm,humidity_pct\n");
        for (int t = 0; t < 60; t++) {
            for (int s = 0; s < 3; s++) {
                double rain = ((t * 5 + s * 2) % 7) * 0.8;
                sb.append(String.format(Locale.ROOT, "%d,S%d,%d,%d,%.1f,%d%n",
                        1_600_000_000_000L + t * 3_600_000L, s, -30 - s, 140 + s, rain, 50 + (t + s) % 30));
            }
        }
        sb.append("bad,S0,1,1,1,1\n");
        Path p = tmp.resolve("w.csv");
        Files.writeString(p, sb.toString());
        return p;
    }

    @Test
    void wrongValuesFailAtOnceNamingTheOption() throws Exception {
        String f = smallFile().toString();
        assertNamed(TandemCliTest.run("eval", "rainfall"), "--data");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", tmp.resolve("nope.csv").toString()), "--data");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--step", "weekly"), "--step");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--window", "0"), "--window");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--horizon", "0"), "--horizon");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--grid-res", "-1"), "--grid-res");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--model", "oracle"), "--model");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--features", "wind_kmh"), "--features");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--idw-radius", "0"), "--idw-radius");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--grid-box", "1,0,0,1"), "--grid-box");
        assertNamed(TandemCliTest.run("eval", "rainfall", "--data", f, "--grid-box", "0,1,0"), "--grid-box");
        assertNamed(TandemCliTest.run("replay", "weather", "--data", f, "--bootstrap", "localhost:1", "--rate", "0"),
                "--rate");
        assertNamed(TandemCliTest.run("replay", "weather", "--data", f, "--bootstrap", "localhost:1", "--limit", "0"),
                "--limit");
        assertNamed(TandemCliTest.run("convert", "weather-aus", "--data", tmp.resolve("nope").toString(), "--out",
                tmp.resolve("o.csv").toString()), "--data");
    }

    @Test
    void evalRainfallEndsWithOneJsonObject() throws Exception {
        TandemCliTest.Run r = TandemCliTest.run("eval", "rainfall", "--data", smallFile().toString(), "--window", "2",
                "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.lastJson().get("bad_rows").asInt());
        JsonNode j = r.lastJson();
        for (String k : new String[] {"mse", "prd", "csi", "far", "pod", "persistence_mse", "climatology_mse",
                "linear_mse", "mse_over_persistence", "mse_over_climatology", "mse_over_linear", "steps", "stations",
                "grid", "seconds"}) {
            assertTrue(j.has(k), k + " in " + j);
        }
        assertEquals("hourly", j.get("step").asText());
        assertEquals(3, j.get("stations").asInt());
        assertEquals(12, j.get("steps").asInt()); // the last 20% of 60 hourly steps
        assertEquals(3, j.get("grid").get("distinct_station_cells").asInt());
        assertEquals("combined", j.get("model").asText()); // the ConvLSTM combined with the baselines
        assertEquals("convlstm", j.get("network").asText());

        // a configured box: 5 x 5 cells of 1°; the station at (-30, 140) lies outside it
        TandemCliTest.Run boxed = TandemCliTest.run("eval", "rainfall", "--data", smallFile().toString(), "--window",
                "2", "--grid-box=-33,-29,141,145", "--grid-res", "1", "--model", "online-linear-grid", "--json");
        assertEquals(0, boxed.code(), boxed.err());
        JsonNode b = boxed.lastJson();
        assertEquals(5, b.get("grid").get("rows").asInt());
        assertEquals(5, b.get("grid").get("cols").asInt());
        assertEquals(-33.0, b.get("grid").get("lat0").asDouble());
        assertEquals(2, b.get("stations_on_grid").asInt());
        assertEquals("online-linear-grid", b.get("network").asText());

        TandemCliTest.Run badOptimizer = TandemCliTest.run("eval", "rainfall", "--data", smallFile().toString(),
                "--optimizer", "rmsprop");
        assertEquals(2, badOptimizer.code());
        assertTrue(badOptimizer.err().contains("--optimizer") && badOptimizer.err().contains("sgd, adam, yamadam, lrsgd-c, lrsgd-r, s-sgd"),
                badOptimizer.err());
    }

    @Test
    void aStepFinerThanTheDataIsWarnedAboutACoarserOneIsNot() throws Exception {
        String f = smallFile().toString(); // hourly readings
        TandemCliTest.Run finer = TandemCliTest.run("eval", "rainfall", "--data", f, "--window", "2", "--step", "20min",
                "--json");
        assertEquals(0, finer.code(), finer.err());
        JsonNode w = finer.lastJson().get("warnings");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).asText().contains("--step 20min") && w.get(0).asText().contains("hourly"), w.toString());

        TandemCliTest.Run coarser = TandemCliTest.run("eval", "rainfall", "--data", f, "--window", "2", "--step", "2h",
                "--json");
        assertEquals(0, coarser.code(), coarser.err());
        assertEquals(0, coarser.lastJson().get("warnings").size(), coarser.lastJson().get("warnings").toString());
        TandemCliTest.Run inferred = TandemCliTest.run("eval", "rainfall", "--data", f, "--window", "2", "--json");
        assertEquals(0, inferred.lastJson().get("warnings").size());
    }

    private static void assertNamed(TandemCliTest.Run r, String option) {
        assertTrue(r.code() != 0, option + " should fail");
        assertTrue(r.err().contains(option), "error should name " + option + ": " + r.err());
    }
}
