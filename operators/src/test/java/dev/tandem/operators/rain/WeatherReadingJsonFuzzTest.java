package dev.tandem.operators.rain;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.fuzz.FuzzBounds;
import dev.tandem.operators.common.FuzzRecords;
import dev.tandem.operators.common.Json;

import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the weather reading decoder {@link WeatherReadingJson} (docs/FUZZING.md) under {@link FuzzRecords#LIMITS}.
 * Properties: it returns a reading or throws an {@link IOException} with a message, nothing else; a reading has at
 * most {@code records.max-fields} extra features, one value per name, names distinct; what it read agrees with the
 * project's strict JSON mapper reading the same bytes as a tree (station, lat, lon, rain, the optional fields and
 * every extra numeric field; a document the mapper refuses is not accepted); memory linear in the record.
 */
class WeatherReadingJsonFuzzTest {
    private static final WeatherReadingJson JSON = new WeatherReadingJson(FuzzRecords.LIMITS);
    private static final Set<String> KNOWN = Set.of("time", "station", "lat", "lon", "rain_mm", "humidity_pct",
            "pressure_hpa", "temp_c", "wind_kmh");
    private static boolean warm;

    static {
        try {
            new WeatherReadingJsonFuzzTest().decodesOrRefuses(
                    "{\"time\":\"2024-01-01T10:00:00Z\",\"station\":\"a\",\"lat\":-35.1,\"lon\":149.0,\"rain_mm\":2.5,\"soil\":3,\"q\":\"Y\"}"
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        warm = true;
    }

    @FuzzTest(maxDuration = "3m")
    void decodesOrRefuses(byte[] data) throws IOException {
        long before = FuzzBounds.allocatedBytes();
        WeatherReading r;
        try {
            r = JSON.decode(data);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refusal says why: " + e);
            return;
        }
        if (warm) {
            FuzzBounds.assertLinearMemory(FuzzBounds.allocatedBytes() - before, data.length, 64, 1 << 20, "WeatherReadingJson");
        }
        assertEquals(r.extraNames.length, r.extraValues.length, "one value per extra feature");
        assertTrue(r.extraNames.length <= FuzzRecords.LIMITS.maxFields(), "extra features");
        assertEquals(r.extraNames.length, new HashSet<>(java.util.List.of(r.extraNames)).size(), "distinct names");
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(data);
        } catch (IOException e) {
            fail("accepted a document the strict mapper refuses: " + e.getMessage());
            return;
        }
        assertEquals(tree.get("lat").doubleValue(), r.lat);
        assertEquals(tree.get("lon").doubleValue(), r.lon);
        JsonNode station = tree.get("station");
        assertEquals(station == null || station.isNull() ? null : station.textValue(), r.station);
        JsonNode rain = tree.get("rain_mm");
        assertEquals(rain == null || rain.isNull() ? Double.NaN : rain.doubleValue(), r.rainMm);
        assertEquals(optional(tree, "humidity_pct"), r.humidityPct);
        assertEquals(optional(tree, "pressure_hpa"), r.pressureHpa);
        assertEquals(optional(tree, "temp_c"), r.tempC);
        assertEquals(optional(tree, "wind_kmh"), r.windKmh);
        JsonNode t = tree.get("time");
        assertEquals(t == null ? 0 : t.isIntegralNumber() ? t.longValue() : Json.parseTime(t.textValue()), r.time);
        int k = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!KNOWN.contains(f.getKey()) && f.getValue().isNumber()) {
                assertEquals(f.getKey(), r.extraNames[k]);
                assertEquals(f.getValue().doubleValue(), r.extraValues[k], f.getKey());
                k++;
            }
        }
        assertEquals(k, r.extraNames.length, "every extra numeric field, nothing else");
    }

    private static Double optional(JsonNode tree, String field) {
        JsonNode n = tree.get(field);
        return n == null || n.isNull() ? null : n.doubleValue();
    }
}
