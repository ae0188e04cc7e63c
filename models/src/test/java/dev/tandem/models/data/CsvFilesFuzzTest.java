package dev.tandem.models.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.models.fuzz.FuzzBounds;
import dev.tandem.models.fuzz.FuzzFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the one CSV reader of the file formats ({@link CsvFiles#reader}, {@link CsvFiles#split}) on any bytes, plain
 * or gzip (docs/FUZZING.md). Properties: the lines are exactly those of {@link BufferedReader#readLine()} over the same
 * text, except that a line longer than {@link CsvFiles#MAX_LINE_CHARS} is refused with an {@link IOException} naming
 * file and line; a line splits into at most {@link CsvFiles#MAX_FIELDS} fields or is refused the same way; a line
 * without quotes splits as {@code String.split(",")} with trimmed fields; quoting the fields again and splitting
 * gives them back; memory stays linear in the input.
 */
class CsvFilesFuzzTest {
    /** False during the warm-up read, whose allocations are class loading, not the input's doing. */
    private static boolean warm;

    static {
        if (FuzzFiles.fuzzing()) {
            // small bounds, so that inputs of a few kilobytes reach them (this JVM runs nothing else)
            System.setProperty("tandem.csv.max-line-chars", "300");
            System.setProperty("tandem.csv.max-fields", "40");
        }
        // one read before any is measured: class loading and initialisation are not the input's doing
        try {
            new CsvFilesFuzzTest().readsLinesAndFieldsOrRefusesThem("a,\"b\"\n1,2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException("the warm-up input is read", e);
        }
        warm = true;
    }

    @FuzzTest(maxDuration = "3m")
    void readsLinesAndFieldsOrRefusesThem(byte[] data) throws IOException {
        byte[] content = FuzzFiles.content(data);
        if (content == null) {
            return; // corrupt or huge gzip: covered by the readers' own targets, which only check the refusal
        }
        Path file = FuzzFiles.write(FuzzFiles.gzip(data) ? "in.csv.gz" : "in.csv", data);
        List<String> expected = new ArrayList<>();
        try (BufferedReader ref = new BufferedReader(new StringReader(new String(content, StandardCharsets.UTF_8)))) {
            for (String l; (l = ref.readLine()) != null; ) {
                expected.add(l);
            }
        }
        long before = FuzzBounds.allocatedBytes();
        try (BufferedReader in = CsvFiles.reader(file)) {
            for (int i = 0; i < expected.size(); i++) {
                String want = expected.get(i);
                String got;
                try {
                    got = in.readLine();
                } catch (IOException e) {
                    assertTrue(want.length() > CsvFiles.MAX_LINE_CHARS, () -> "refused a line of " + want.length()
                            + " characters: " + e.getMessage());
                    assertEquals(file + ":" + (i + 1) + ": line longer than " + CsvFiles.MAX_LINE_CHARS
                            + " characters (tandem.csv.max-line-chars)", e.getMessage());
                    return;
                }
                assertTrue(want.length() <= CsvFiles.MAX_LINE_CHARS, "a line over the bound was read");
                assertEquals(want, got, "line " + (i + 1));
                checkSplit(got, file, i + 1);
            }
            assertEquals(null, in.readLine(), "no line after the last one");
        }
        if (warm) {
            FuzzBounds.assertLinearMemory(FuzzBounds.allocatedBytes() - before, content.length, 64, 2 << 20, "CsvFiles");
        }
    }

    private static void checkSplit(String line, Path file, int lineNo) {
        List<String> fields;
        try {
            fields = CsvFiles.split(line, file, lineNo);
        } catch (IOException e) {
            assertTrue(e.getMessage().startsWith(file + ":" + lineNo + ": "), e.getMessage());
            FuzzBounds.assertReason(e.getMessage().substring(file.toString().length()), 200);
            return;
        }
        assertTrue(!fields.isEmpty() && fields.size() <= CsvFiles.MAX_FIELDS, "field count " + fields.size());
        if (line.indexOf('"') < 0) {
            assertEquals(Arrays.stream(line.split(",", -1)).map(String::trim).toList(), fields, "unquoted fields");
        }
        StringBuilder quoted = new StringBuilder();
        for (String f : fields) {
            quoted.append(quoted.length() == 0 ? "" : ",").append('"').append(f.replace("\"", "\"\"")).append('"');
        }
        try {
            assertEquals(fields, CsvFiles.split(quoted.toString(), file, lineNo), "fields quoted again");
        } catch (IOException e) {
            fail("the fields quoted again do not split: " + e.getMessage());
        }
    }
}
