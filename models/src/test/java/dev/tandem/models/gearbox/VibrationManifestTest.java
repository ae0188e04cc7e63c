package dev.tandem.models.gearbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The canonical vibration format on small hand-made files. */
class VibrationManifestTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Path writeGz(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void readsPlainAndGzipRecordingsRelativeToTheManifestInAnyColumnOrder() throws Exception {
        write("a/one.csv", "x,y,z\n1,2,3\n4.5,-5e-1,6\r\n\n7,8,9\n");
        writeGz("b/two.csv.gz", "\uFEFFx,y,z\n0.25,0.5,0.75\n");
        // columns shuffled, an extra column, CRLF, BOM, a quoted field, blank line, unsorted labels
        write("manifest.csv", "\uFEFFmachine,sample_rate_hz,notes,label,file\r\n"
                + "m2,12000,\"hello, world\",zeta,b/two.csv.gz\r\n\r\n"
                + " m1 , 2560.5 ,,alpha, a/one.csv\r\n");
        VibrationManifest m = VibrationManifest.read(dir);
        assertEquals(2, m.entries().size());
        assertEquals(List.of("alpha", "zeta"), m.labels(), "labels sorted, not in row order");
        assertEquals(List.of("m1", "m2"), m.machines());
        VibrationManifest.Entry first = m.entries().get(0);
        assertEquals("b/two.csv.gz", first.file());
        assertEquals(2, first.line());
        assertEquals(12000.0, first.sampleRateHz());
        VibrationManifest.Entry second = m.entries().get(1);
        assertEquals("m1", second.machine());
        assertEquals(2560.5, second.sampleRateHz());
        assertEquals(4, second.line());

        VibrationRecording one = VibrationManifest.readRecording(second);
        assertEquals(List.of("x", "y", "z"), one.channelNames());
        assertEquals(3, one.length());
        assertArrayEquals(new float[] {1, 4.5f, 7}, one.samples()[0]);
        assertArrayEquals(new float[] {2, -0.5f, 8}, one.samples()[1]);
        VibrationRecording two = VibrationManifest.readRecording(first);
        assertEquals(1, two.length());
        assertArrayEquals(new float[] {0.75f}, two.samples()[2]);
    }

    @Test
    void gzipIsRecognisedByContentAndLargeFilesGrow() throws Exception {
        StringBuilder sb = new StringBuilder("ch\n");
        for (int i = 0; i < 40_000; i++) {
            sb.append(i).append('\n');
        }
        writeGz("plain-name.csv", sb.toString());
        VibrationManifest.ChannelData d = VibrationManifest.readChannels(dir.resolve("plain-name.csv"));
        assertEquals(40_000, d.length());
        assertEquals(39_999f, d.samples()[0][39_999]);
    }

    @Test
    void malformedRecordingLinesNameTheFileAndLine() throws Exception {
        Path bad = write("bad.csv", "a1,a2\n1,2\n3,oops\n");
        IOException e = assertThrows(IOException.class, () -> VibrationManifest.readChannels(bad));
        assertTrue(e.getMessage().contains(bad.toString() + ":3:") && e.getMessage().contains("a2")
                && e.getMessage().contains("oops"), e.getMessage());

        Path gz = writeGz("short.csv.gz", "a1,a2\n1,2\n3,4\n5\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.readChannels(gz));
        assertTrue(e.getMessage().contains("short.csv.gz:4:") && e.getMessage().contains("expected 2 values"),
                e.getMessage());

        Path extra = write("extra.csv", "a1,a2\n1,2,3\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.readChannels(extra));
        assertTrue(e.getMessage().contains("extra.csv:2:") && e.getMessage().contains("got 3"), e.getMessage());

        Path nan = write("nan.csv", "a1\n1\nNaN\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.readChannels(nan));
        assertTrue(e.getMessage().contains("nan.csv:3:") && e.getMessage().contains("finite"), e.getMessage());

        Path noHeader = write("noheader.csv", "1.5,2\n3,4\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.readChannels(noHeader));
        assertTrue(e.getMessage().contains("noheader.csv:1:") && e.getMessage().contains("channels"), e.getMessage());

        Path empty = write("empty.csv", "a1,a2\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.readChannels(empty));
        assertTrue(e.getMessage().contains("no samples"), e.getMessage());

        Path truncated = dir.resolve("trunc.csv.gz");
        byte[] whole;
        Path full = writeGz("full.csv.gz", "a\n" + "1\n".repeat(20_000));
        whole = Files.readAllBytes(full);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(IOException.class, () -> VibrationManifest.readChannels(truncated));
        assertTrue(e.getMessage().contains("trunc.csv.gz:"), e.getMessage());
    }

    @Test
    void malformedManifestLinesNameTheFileAndLine() throws Exception {
        Path m = write("manifest.csv", "file,label,sample_rate_hz,machine\nx.csv,a,100,m\ny.csv,b,fast,m\n");
        IOException e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains(m + ":3:") && e.getMessage().contains("sample_rate_hz"), e.getMessage());

        write("manifest.csv", "file,label,sample_rate_hz,machine\nx.csv,a,100\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains("manifest.csv:2:") && e.getMessage().contains("fields"), e.getMessage());

        write("manifest.csv", "file,label,rate,machine\nx.csv,a,100,m\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains("manifest.csv:1:") && e.getMessage().contains("sample_rate_hz"), e.getMessage());

        write("manifest.csv", "file,label,sample_rate_hz,machine\nx.csv,a,-5,m\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains("manifest.csv:2:") && e.getMessage().contains("> 0"), e.getMessage());

        write("manifest.csv", "file,label,sample_rate_hz,machine\nx.csv,a,5,m\n./x.csv,b,5,m\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains("manifest.csv:3:") && e.getMessage().contains("line 2"), e.getMessage());

        write("manifest.csv", "file,label,sample_rate_hz,machine\n\"x.csv,a,5,m\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains("manifest.csv:2:") && e.getMessage().contains("quoted"), e.getMessage());

        write("manifest.csv", "file,label,sample_rate_hz,machine\n");
        e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains("no recordings"), e.getMessage());

        Files.delete(dir.resolve("manifest.csv"));
        e = assertThrows(IOException.class, () -> VibrationManifest.read(dir));
        assertTrue(e.getMessage().contains("manifest.csv"), e.getMessage());
    }

    @Test
    void missingRecordingIsNamed() throws Exception {
        write("manifest.csv", "file,label,sample_rate_hz,machine\nmissing.csv.gz,a,5,m\n");
        VibrationManifest m = VibrationManifest.read(dir);
        IOException e = assertThrows(IOException.class, () -> VibrationManifest.readRecording(m.entries().get(0)));
        assertTrue(e.getMessage().contains("missing.csv.gz"), e.getMessage());
    }

    @Test
    void writeThenReadRoundTripsAndSelectFiltersMachines() throws Exception {
        Path file = dir.resolve("out/manifest.csv");
        VibrationManifest.write(file, List.of(
                new VibrationManifest.Row("../rec 1.csv", "ok", 20000, "m,1"),
                new VibrationManifest.Row("rec\"2\".csv.gz", "", 12.5, "m2")));
        VibrationManifest m = VibrationManifest.read(file);
        assertEquals("../rec 1.csv", m.entries().get(0).file());
        assertEquals(dir.resolve("rec 1.csv").toAbsolutePath(), m.entries().get(0).path());
        assertEquals("m,1", m.entries().get(0).machine());
        assertEquals("rec\"2\".csv.gz", m.entries().get(1).file());
        assertFalse(m.entries().get(1).labelled());
        assertEquals(List.of("ok"), m.labels(), "an empty label is an unlabelled recording, not a class");
        assertEquals(12.5, m.entries().get(1).sampleRateHz());
        assertEquals(1, m.select(List.of("m2")).entries().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.select(List.of("m3")));
        assertTrue(e.getMessage().contains("m3") && e.getMessage().contains("m2"), e.getMessage());
    }

    @Test
    void anOptionalRpmColumnGivesRecordingsTheirShaftSpeed() throws IOException {
        write("a.csv", "DE\n1\n2\n");
        write("b.csv", "DE\n3\n4\n");
        write("manifest.csv", "machine,RPM,file,label,sample_rate_hz\nm1,1797,a.csv,x,12000\nm2,,b.csv,y,12000\n");
        VibrationManifest m = VibrationManifest.read(dir);
        assertEquals(1797.0, m.entries().get(0).rpm());
        assertTrue(Double.isNaN(m.entries().get(1).rpm()), "empty: unknown");
        VibrationManifest set = m.withSpeeds(java.util.Map.of("m2", 1772.0));
        assertEquals(1797.0, set.entries().get(0).rpm());
        assertEquals(1772.0, set.entries().get(1).rpm());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> m.withSpeeds(java.util.Map.of("m9", 1.0)));
        assertTrue(unknown.getMessage().contains("m9") && unknown.getMessage().contains("m1, m2"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.withSpeeds(java.util.Map.of("m1", -3.0)));
        // written back with the column, read again the same
        Path out = dir.resolve("copy/manifest.csv");
        VibrationManifest.write(out, List.of(new VibrationManifest.Row("../a.csv", "x", 12000, "m1", 1797),
                new VibrationManifest.Row("../b.csv", "y", 12000, "m2")));
        VibrationManifest again = VibrationManifest.read(out);
        assertEquals(1797.0, again.entries().get(0).rpm());
        assertTrue(Double.isNaN(again.entries().get(1).rpm()));
        // without any speed the column is not written (the format stays the four canonical columns)
        VibrationManifest.write(out, List.of(new VibrationManifest.Row("../a.csv", "x", 12000, "m1")));
        assertEquals("file,label,sample_rate_hz,machine", Files.readAllLines(out).get(0));
        write("bad/manifest.csv", "file,label,sample_rate_hz,machine,rpm\n../a.csv,x,12000,m1,fast\n");
        IOException e = assertThrows(IOException.class, () -> VibrationManifest.read(dir.resolve("bad")));
        assertTrue(e.getMessage().contains(":2: rpm 'fast' is not a number"), e.getMessage());
        write("neg/manifest.csv", "file,label,sample_rate_hz,machine,rpm\n../a.csv,x,12000,m1,0\n");
        IOException z = assertThrows(IOException.class, () -> VibrationManifest.read(dir.resolve("neg")));
        assertTrue(z.getMessage().contains("rpm must be a finite number > 0"), z.getMessage());
    }
}
