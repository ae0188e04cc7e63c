package dev.tandem.job.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The configuration docs state what the code does: config/README.md holds one table row per key of
 * {@link TandemConfig#KEYS} with its default, what is allowed and what it does, exactly as
 * {@link TandemConfig#documentationRows} derives them, and no row for a key the code does not know.
 */
class ConfigDocsTest {
    @Test
    void everyConfigurationKeyIsDocumentedAsTheCodeHasIt() throws Exception {
        List<String> doc = Files.readAllLines(Path.of("../config/README.md"));
        List<String> documented = doc.stream().filter(l -> l.startsWith("| `")).toList();
        List<String> expected = TandemConfig.documentationRows();
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(documented);
        List<String> stale = new ArrayList<>(documented);
        stale.removeAll(expected);
        assertEquals(List.of(), missing, "rows config/README.md lacks (or has with other values); the rows the code"
                + " derives are above, replace the table with TandemConfig.documentationRows()");
        assertEquals(List.of(), stale, "rows of config/README.md for keys the code does not have (or outdated)");
    }
}
