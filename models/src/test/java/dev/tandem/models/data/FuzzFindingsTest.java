package dev.tandem.models.data;

import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.rain.WeatherCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What fuzzing found in the file readers (docs/FUZZING.md, findings 4–9), one test each. */
class FuzzFindingsTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void weatherTimeOfTheYear999999999IsABadRowNotACrash() throws IOException {
        WeatherCsv.Table t = WeatherCsv.read(write("w.csv",
                "time,station,lat,lon,rain_mm\n+999999999-12-31T23:59:59Z,S,1,2,3\n2020-01-01,S,1,2,3\n"));
        assertEquals(1, t.badRows());
        assertEquals(1, t.readings().size());
    }

    @Test
    void weatherColumnNamedTwiceIsRefused() throws IOException {
        Path f = write("w.csv", "time,station,lat,lon,rain_mm,x,x\n2020-01-01,S,1,2,3,4,5\n");
        IOException e = assertThrows(IOException.class, () -> WeatherCsv.read(f));
        assertTrue(e.getMessage().endsWith(":1: column 'x' appears twice (columns 6 and 7)"), e.getMessage());
    }

    @Test
    void manifestFileNameWithNulIsAnErrorNamingTheLine() throws IOException {
        Path f = write("manifest.csv", "file,label,sample_rate_hz,machine\nx\u0000.csv,a,1,m\n");
        IOException e = assertThrows(IOException.class, () -> VibrationManifest.read(f));
        assertTrue(e.getMessage().contains("manifest.csv:2: file name 'x\\u0000.csv' is not a valid path"), e.getMessage());
    }

    @Test
    void channelHeaderOfManyNamesAllocatesLittleBeforeTheFirstRow() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            s.append(i == 0 ? "" : ",").append("c").append(i);
        }
        s.append('\n').append("1,".repeat(1999)).append("1\n");
        Path f = write("r.csv", s.toString());
        VibrationManifest.readChannels(f); // warm-up: class loading
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        VibrationManifest.ChannelData d = VibrationManifest.readChannels(f);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(2000, d.samples().length);
        // it was 2000 x 16384 floats = 131 MB; now 2000 x 32 floats and the file's own text
        assertTrue(allocated < 8 << 20, "allocated " + allocated + " bytes for a " + Files.size(f) + "-byte file");
    }

    @Test
    void corruptGzipNamesTheFileAndLine() throws IOException {
        byte[] gz;
        try (var out = new java.io.ByteArrayOutputStream(); var z = new java.util.zip.GZIPOutputStream(out)) {
            z.write("time,station,lat,lon,rain_mm\n".repeat(2000).getBytes(StandardCharsets.UTF_8));
            z.finish();
            gz = out.toByteArray();
        }
        for (int i = 20; i < gz.length - 8; i += 7) {
            gz[i] ^= 0x55;
        }
        Path f = Files.write(dir.resolve("w.csv.gz"), gz);
        IOException e = assertThrows(IOException.class, () -> {
            try (var r = CsvFiles.reader(f)) {
                while (r.readLine() != null) {
                    // read to the end
                }
            }
        });
        assertTrue(e.getMessage().startsWith(f + ":") && e.getMessage().contains("corrupt or truncated gzip data"), e.getMessage());
    }

    @Test
    void controlCharactersInCsvMessagesAreEscaped() {
        IOException e = CsvFiles.error(Path.of("f.csv"), 3, "channel a: '1\u0000\u001b[2J' is not a number");
        assertEquals("f.csv:3: channel a: '1\\u0000\\u001b[2J' is not a number", e.getMessage());
    }
}
