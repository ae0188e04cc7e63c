package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The canonical long weather CSV on small hand-made files. */
class WeatherCsvTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void readsUnsortedRowsWithEveryTimeFormatAndExtraFeatures() throws IOException {
        Path p = write("w.csv", String.join("\n",
                "station,time,lat,lon,rain_mm,humidity_pct,note,pressure_hpa",
                "B,2020-01-02,-30,150,1.5,80,fine,1010",
                "A,2020-01-02T00:00:00Z,-31,151,NA,,cloudy,",
                "A,1577836800000,-31,151,0,55,x,1012.5",
                "B,2020-01-01T10:00:00+10:00,-30,150,2,60,,1011",
                ""));
        WeatherCsv.Table t = WeatherCsv.read(p);
        assertEquals(List.of("rain_mm", "humidity_pct", "pressure_hpa"), t.features());
        assertEquals(0, t.badRows());
        assertEquals(1, t.notes().size());
        assertTrue(t.notes().get(0).contains("'note'"), t.notes().toString());
        List<WeatherCsv.Reading> r = t.readings();
        assertEquals(4, r.size());
        long jan1 = 1577836800000L;
        // sorted by time then station; 10:00+10:00 is midnight UTC
        assertEquals(jan1, r.get(0).time());
        assertEquals("A", r.get(0).station());
        assertEquals(jan1, r.get(1).time());
        assertEquals("B", r.get(1).station());
        assertEquals(2.0, r.get(1).rainMm());
        assertEquals(jan1 + 86_400_000L, r.get(2).time());
        assertEquals("A", r.get(2).station());
        assertTrue(Double.isNaN(r.get(2).rainMm()), "NA is missing");
        assertTrue(Double.isNaN(r.get(2).values()[1]), "empty is missing");
        assertEquals(1012.5, r.get(0).values()[2]);
        assertEquals(-31.0, r.get(0).lat());
        assertEquals(151.0, r.get(0).lon());
    }

    @Test
    void gzipIsRecognisedByContent() throws IOException {
        Path p = dir.resolve("w.data");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("time,station,lat,lon,rain_mm\n2021-03-04,S,1,2,3\n".getBytes(StandardCharsets.UTF_8));
        }
        WeatherCsv.Table t = WeatherCsv.read(p);
        assertEquals(1, t.readings().size());
        assertEquals(3.0, t.readings().get(0).rainMm());
    }

    @Test
    void badRowsAreSkippedAndReportedWithTheirLine() throws IOException {
        Path p = write("w.csv", String.join("\n",
                "time,station,lat,lon,rain_mm",
                "2020-01-01,S,-30,150,1",
                ",S,-30,150,1",
                "2020-01-01,,-30,150,1",
                "2020-01-01,S,-95,150,1",
                "2020-01-01,S,-30,190,1",
                "2020-01-01,S,-30,150,-2",
                "2020-01-01,S,-30,150,lots",
                "2020-13-01,S,-30,150,1",
                "2020-01-01,S,-30,150",
                "2020-01-01,S,,150,1"));
        WeatherCsv.Table t = WeatherCsv.read(p);
        assertEquals(1, t.readings().size());
        assertEquals(9, t.badRows());
        List<String> pr = t.problems();
        assertTrue(pr.get(0).startsWith("w.csv:3: missing time"), pr.get(0));
        assertTrue(pr.get(1).contains(":4: missing station"), pr.get(1));
        assertTrue(pr.get(2).contains(":5: lat -95 outside"), pr.get(2));
        assertTrue(pr.get(3).contains(":6: lon 190 outside"), pr.get(3));
        assertTrue(pr.get(4).contains(":7: rain_mm '-2'"), pr.get(4));
        assertTrue(pr.get(5).contains(":8: rain_mm 'lots'"), pr.get(5));
        assertTrue(pr.get(6).contains(":9: time '2020-13-01'"), pr.get(6));
        assertTrue(pr.get(7).contains(":10: 4 fields, the header has 5"), pr.get(7));
        assertTrue(pr.get(8).contains(":11: missing lat"), pr.get(8));
    }

    @Test
    void aMissingRequiredColumnFailsNamingIt() throws IOException {
        Path p = write("w.csv", "time,station,lat,lon\n2020-01-01,S,1,2\n");
        IOException e = assertThrows(IOException.class, () -> WeatherCsv.read(p));
        assertTrue(e.getMessage().contains("missing column 'rain_mm'"), e.getMessage());
    }

    @Test
    void timeFormats() {
        assertEquals(0L, WeatherCsv.parseTime("1970-01-01"));
        assertEquals(3_600_000L, WeatherCsv.parseTime("1970-01-01T01:00"));
        assertEquals(3_600_000L, WeatherCsv.parseTime("1970-01-01T01:00:00Z"));
        assertEquals(0L, WeatherCsv.parseTime("1970-01-01T10:00:00+10:00"));
        assertEquals(123L, WeatherCsv.parseTime("123"));
        assertThrows(IllegalArgumentException.class, () -> WeatherCsv.parseTime("yesterday"));
    }
}
