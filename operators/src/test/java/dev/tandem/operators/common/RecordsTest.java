package dev.tandem.operators.common;

import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.VibrationWindowBinary;
import dev.tandem.operators.rain.WeatherReading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.operators.gearbox.TestWindows;
import dev.tandem.operators.gearbox.AlertState;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordsTest {

    @Test
    void vibrationWindowJsonUsesCanonicalColumnNames() throws IOException {
        VibrationWindow w = TestWindows.window(1_700_000_000_000L, "m1", "demo", "healthy", "healthy", 2, 8, 1);
        JsonNode node = Json.mapper().readTree(Json.write(w));
        assertEquals(List.of("time", "machine", "fleet", "sample_rate_hz", "channels", "label"),
                iterable(node.fieldNames()));
        assertEquals(w, Json.read(Json.write(w), VibrationWindow.class));
        w.label = null;
        assertTrue(!Json.mapper().readTree(Json.write(w)).has("label"), "absent label is left out");
    }

    @Test
    void timeReadsEpochMillisOrIso8601() throws IOException {
        String iso = "{\"time\":\"2026-01-31T12:00:00Z\",\"machine\":\"m\",\"fleet\":\"f\",\"sample_rate_hz\":10,"
                + "\"channels\":[[1,2]]}";
        VibrationWindow w = Json.read(iso.getBytes(StandardCharsets.UTF_8), VibrationWindow.class);
        assertEquals(java.time.Instant.parse("2026-01-31T12:00:00Z").toEpochMilli(), w.time);
        assertNull(w.label);
        assertEquals(123L, Json.read("{\"time\":123}".getBytes(StandardCharsets.UTF_8), VibrationWindow.class).time);
        assertThrows(IOException.class, () -> Json.read("{\"time\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8),
                VibrationWindow.class));
    }

    @Test
    void binaryRoundTripIsCompactAndExact() throws IOException {
        VibrationWindow w = TestWindows.window(42L, "machine-7", "fleet-a", "broken", "broken", 4, 2048, 3);
        byte[] bin = VibrationWindowBinary.encode(w);
        assertEquals(26 + 2 + 9 + 2 + 7 + 2 + 6 + 4 * 4 * 2048, bin.length);
        assertTrue(bin.length * 2 < Json.write(w).length, "binary is less than half the JSON size");
        assertEquals(w, VibrationWindowBinary.decode(bin));
        w.label = null;
        assertEquals(w, VibrationWindowBinary.decode(VibrationWindowBinary.encode(w)));
    }

    @Test
    void binaryRefusesMalformedInput() {
        VibrationWindow w = TestWindows.window(42L, "m", "f", "healthy", null, 2, 16, 3);
        byte[] bin = VibrationWindowBinary.encode(w);
        assertTrue(assertThrows(IOException.class, () -> VibrationWindowBinary.decode(Arrays.copyOf(bin, bin.length - 1)))
                .getMessage().contains("carries"));
        assertThrows(IOException.class, () -> VibrationWindowBinary.decode("{\"time\":1}".getBytes(StandardCharsets.UTF_8)));
        byte[] v2 = bin.clone();
        v2[2] = 2;
        assertTrue(assertThrows(IOException.class, () -> VibrationWindowBinary.decode(v2)).getMessage().contains("version"));
        assertThrows(IOException.class, () -> VibrationWindowBinary.decode(new byte[3]));
    }

    @Test
    void weatherReadingKeepsExtraNumericFields() throws IOException {
        String json = "{\"time\":1000,\"station\":\"066062\",\"lat\":-33.86,\"lon\":151.2,\"rain_mm\":1.5,"
                + "\"temp_c\":21.5,\"solar_mj\":12.0}";
        WeatherReading r = Json.read(json.getBytes(StandardCharsets.UTF_8), WeatherReading.class);
        assertEquals(21.5, r.tempC);
        assertNull(r.humidityPct);
        assertArrayEquals(new String[] {"solar_mj"}, r.extraNames);
        JsonNode back = Json.mapper().readTree(Json.write(r));
        assertEquals(12.0, back.get("solar_mj").asDouble());
        assertEquals(1.5, back.get("rain_mm").asDouble());
        assertEquals(r, Json.read(Json.write(r), WeatherReading.class));
    }

    @Test
    void recordsArePojosWithoutGenericTypes() {
        ExecutionConfig config = new ExecutionConfig();
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        config.configure(c, getClass().getClassLoader());
        for (Class<?> type : List.of(VibrationWindow.class, Prediction.class, Alert.class, DeadLetter.class,
                RawRecord.class, WeatherReading.class, AlertState.class)) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertTrue(info instanceof PojoTypeInfo, type.getSimpleName() + " is a POJO: " + info);
            info.createSerializer(config.getSerializerConfig()); // throws when any field needs Kryo
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
