package dev.tandem.job.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What fuzzing found in configuration parsing (docs/FUZZING.md, findings 10, 11, 13 and 14). */
class ConfigFuzzFindingsTest {
    @Test
    void malformedUnicodeEscapeNamesTheFile(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("bad.properties"), "gearbox.classes=a\\u12\n");
        IOException e = assertThrows(IOException.class, () -> TandemConfig.load(f, List.of()));
        assertTrue(e.getMessage().startsWith("configuration file " + f + ": Malformed"), e.getMessage());
    }

    @Test
    void timeStepOverAYearIsRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.defaults("rainfall.step=99999999999d"));
        assertTrue(e.getMessage().contains("rainfall.step"), e.getMessage());
    }

    @Test
    void unknownKeyOfControlCharactersIsQuotedEscaped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.defaults("rainf\u0000\u001b[2J=1"));
        assertTrue(e.getMessage().startsWith("unknown configuration key 'rainf\\u0000\\u001b[2J' in --set"), e.getMessage());
    }

    @Test
    void invalidValuesOfControlCharactersAreQuotedEscaped() {
        // found by the CI fuzz run (2026-12-02): a rainfall.bbox value with control characters was quoted raw
        for (String set : new String[] {"rainfall.bbox=-44,-10,112,1ggg\u0001\u0000", "rainfall.kernels=3\u0007",
                "rainfall.step=1\u0000d", "gearbox.classes=a\u0001"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TandemConfig.defaults(set));
            for (char c : e.getMessage().toCharArray()) {
                assertTrue(!Character.isISOControl(c), set + ": " + e.getMessage());
            }
            assertTrue(e.getMessage().contains(set.substring(0, set.indexOf('='))), e.getMessage());
        }
    }
}
