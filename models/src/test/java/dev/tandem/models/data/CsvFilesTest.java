package dev.tandem.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded CSV reader (docs/HARDENING.md): lines as BufferedReader splits them, too long lines and rows refused. */
class CsvFilesTest {
    @Test
    void linesEndAtLfCrOrCrLfLikeBufferedReader() throws IOException {
        String text = "a,b\r\nc\rd\n\ne" + "x".repeat(100_000) + "\nlast";
        List<String> expected = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            for (String l; (l = r.readLine()) != null; ) {
                expected.add(l);
            }
        }
        List<String> got = new ArrayList<>();
        try (BoundedLineReader r = new BoundedLineReader(new StringReader(text), 200_000, "t")) {
            for (String l; (l = r.readLine()) != null; ) {
                got.add(l);
            }
            assertNull(r.readLine());
        }
        assertEquals(expected, got);
    }

    @Test
    void aGzipFileThatInflatesToOneHugeLineIsRefusedNamingTheLine(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bomb.csv");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write("station,time\n".getBytes(StandardCharsets.UTF_8));
            byte[] block = new byte[1 << 20];
            java.util.Arrays.fill(block, (byte) 'a');
            for (int i = 0; i < 3; i++) {
                out.write(block); // 3 Mi characters without a line break
            }
        }
        try (BufferedReader r = CsvFiles.reader(f)) {
            assertEquals("station,time", r.readLine());
            String m = assertThrows(IOException.class, r::readLine).getMessage();
            assertTrue(m.startsWith(f + ":2: line longer than " + CsvFiles.MAX_LINE_CHARS), m);
        }
    }

    @Test
    void aRowWithTooManyFieldsIsRefused() {
        String row = ",".repeat(CsvFiles.MAX_FIELDS + 5);
        String m = assertThrows(IOException.class, () -> CsvFiles.split(row, Path.of("x.csv"), 7)).getMessage();
        assertTrue(m.startsWith("x.csv:7: more than " + CsvFiles.MAX_FIELDS + " fields"), m);
    }
}
