package dev.tandem.job.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.models.fuzz.FuzzBounds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes configuration parsing, {@link TandemConfig#load(Path, List)} (docs/FUZZING.md). An input is text: each line
 * starting with {@code --set } is a {@code --set key=value} pair, the other lines are the {@code --config} file
 * (properties). Properties: either an {@link IllegalArgumentException} or {@link IOException} whose message is one
 * bounded printable line naming the configuration key, the file or the {@code --set} pair at fault, or a
 * configuration from which every derived setting of the jobs can be built, whose names (region, fleets, features)
 * are identifiers, and which reads back the same from its own effective values.
 */
class TandemConfigFuzzTest {
    private static Path file;

    @FuzzTest(maxDuration = "3m")
    void loadsAValidConfigurationOrNamesTheKeyAtFault(byte[] data) throws IOException {
        if (file == null) {
            file = Files.createTempFile("tandem-fuzz-", ".properties");
            file.toFile().deleteOnExit();
        }
        StringBuilder props = new StringBuilder();
        List<String> sets = new ArrayList<>();
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.startsWith("--set ")) {
                sets.add(line.substring(6));
            } else {
                props.append(line).append('\n');
            }
        }
        Files.writeString(file, props, StandardCharsets.UTF_8);
        TandemConfig c;
        try {
            c = TandemConfig.load(file, sets);
        } catch (IllegalArgumentException | IOException e) {
            String m = e.getMessage();
            FuzzBounds.assertReason(m, 4000); // an unknown key lists the known ones: about 2.5 KB
            boolean named = m.contains(file.toString()) || m.contains("--set")
                    || TandemConfig.KEYS.stream().anyMatch(k -> m.contains(k.name()));
            assertTrue(named, () -> "the error names the key, the file or the --set pair: " + FuzzBounds.printable(m));
            return;
        }
        int maxId = c.integer("records.max-id-length");
        FuzzBounds.assertIdentifier("rainfall.region", c.string("rainfall.region"), maxId);
        for (String id : c.list("gearbox.fleets")) {
            FuzzBounds.assertIdentifier("gearbox.fleets", id, maxId);
        }
        for (String id : c.list("rainfall.features")) {
            FuzzBounds.assertIdentifier("rainfall.features", id, maxId);
        }
        try {
            c.recordLimits();
            c.validationRules();
            c.weatherRules();
            c.rasterSettings();
            c.regionSettings();
            c.eventTimeGate(true);
            c.eventTimeGate(false);
            c.decisionPolicy();
            c.alertSettings();
            c.fleetSettings();
            c.alFleetSettings();
            c.alertStateTtl();
            c.windowFormat();
        } catch (RuntimeException e) {
            fail("a configuration that loaded cannot build " + e);
        }
        List<String> again = new ArrayList<>();
        for (Map.Entry<String, String> e : c.effective().entrySet()) {
            again.add(e.getKey() + "=" + e.getValue());
        }
        assertEquals(c.effective(), TandemConfig.defaults(again.toArray(new String[0])).effective(),
                "the effective values read back the same");
    }
}
