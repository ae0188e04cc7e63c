package dev.tandem.models.rain;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.models.fuzz.FuzzBounds;
import dev.tandem.models.fuzz.FuzzFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link WeatherCsv#read} on any file, plain or gzip (docs/FUZZING.md). Properties: either an
 * {@link IOException} naming the file, or a table whose every reading keeps the documented bounds (a station,
 * lat in [-90, 90], lon in [-180, 180], rain missing or a finite number &gt;= 0, features finite or missing, one
 * value per feature), sorted by time then station, with distinct feature names (rain_mm first), at most 20 problems
 * described (each one bounded line) and at least as many bad rows counted; memory linear in the file.
 */
class WeatherCsvFuzzTest {
    /** False during the warm-up read, whose allocations are class loading, not the input's doing. */
    private static boolean warm;

    static {
        if (FuzzFiles.fuzzing()) {
            System.setProperty("tandem.csv.max-line-chars", "300");
            System.setProperty("tandem.csv.max-fields", "40");
        }
        // one read before any is measured: class loading and initialisation are not the input's doing
        try {
            new WeatherCsvFuzzTest().readsValidReadingsOrRefusesTheFile("time,station,lat,lon,rain_mm,x\n2020-01-01T00:00:00Z,S,1,2,3,4\n2020-01-01,S,1,2,,x\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException("the warm-up input is read", e);
        }
        warm = true;
    }

    @FuzzTest(maxDuration = "3m")
    void readsValidReadingsOrRefusesTheFile(byte[] data) throws IOException {
        if (FuzzFiles.tooLargeInflated(data)) {
            return;
        }
        Path file = FuzzFiles.write("weather.csv", data);
        long before = FuzzBounds.allocatedBytes();
        WeatherCsv.Table t;
        try {
            t = WeatherCsv.read(file);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith(file.toString()), () -> "the error names the file: " + e);
            FuzzBounds.assertReason(e.getMessage(), 2000);
            return;
        }
        byte[] content = FuzzFiles.content(data);
        if (warm) {
            FuzzBounds.assertLinearMemory(FuzzBounds.allocatedBytes() - before, content == null ? data.length : content.length,
                    256, 2 << 20, "WeatherCsv");
        }
        List<String> features = t.features();
        assertEquals(WeatherCsv.RAIN, features.get(0));
        assertEquals(features.size(), new HashSet<>(features).size(), "feature names are distinct: " + features);
        WeatherCsv.Reading prev = null;
        for (WeatherCsv.Reading r : t.readings()) {
            assertTrue(r.station() != null && !r.station().isEmpty(), "station");
            assertTrue(Double.isFinite(r.lat()) && r.lat() >= -90 && r.lat() <= 90, "lat " + r.lat());
            assertTrue(Double.isFinite(r.lon()) && r.lon() >= -180 && r.lon() <= 180, "lon " + r.lon());
            assertEquals(features.size(), r.values().length, "one value per feature");
            double rain = r.rainMm();
            assertTrue(Double.isNaN(rain) || Double.isFinite(rain) && rain >= 0, "rain " + rain);
            for (double v : r.values()) {
                assertTrue(!Double.isInfinite(v), "features are finite or missing");
            }
            if (prev != null) {
                assertTrue(prev.time() < r.time() || prev.time() == r.time() && prev.station().compareTo(r.station()) <= 0,
                        "sorted by time, then station");
            }
            prev = r;
        }
        assertTrue(t.problems().size() <= WeatherCsv.MAX_REPORTED && t.problems().size() <= t.badRows(),
                "problems " + t.problems().size() + ", bad rows " + t.badRows());
        for (String p : t.problems()) {
            assertTrue(p.length() <= 400, () -> "a problem of " + p.length() + " characters");
        }
        for (String n : t.notes()) {
            assertTrue(n.length() <= 1000, () -> "a note of " + n.length() + " characters");
        }
    }
}
