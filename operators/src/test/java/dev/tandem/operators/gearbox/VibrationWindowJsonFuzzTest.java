package dev.tandem.operators.gearbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.fuzz.FuzzBounds;
import dev.tandem.operators.common.FuzzRecords;
import dev.tandem.operators.common.Json;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the JSON window decoder {@link VibrationWindowJson} (docs/FUZZING.md) under {@link FuzzRecords#LIMITS}, at
 * most 4 channels of 64 samples. Properties: it returns a window or throws an {@link IOException} with a message,
 * nothing else; a window keeps the channel bounds and the string bound; what it read agrees with the project's
 * strict JSON mapper reading the same bytes as a tree (same machine, fleet, label, time, rate and samples; a
 * document the mapper refuses is not accepted); memory linear in the record.
 */
class VibrationWindowJsonFuzzTest {
    private static final VibrationWindowJson JSON = new VibrationWindowJson(FuzzRecords.LIMITS, 4, 64);
    private static boolean warm;

    static {
        try {
            new VibrationWindowJsonFuzzTest().decodesOrRefuses(
                    "{\"time\":1,\"machine\":\"m\",\"fleet\":\"f\",\"sample_rate_hz\":1.5,\"channels\":[[1,2.5]],\"x\":[{}]}"
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        warm = true;
    }

    @FuzzTest(maxDuration = "3m")
    void decodesOrRefuses(byte[] data) throws IOException {
        long before = FuzzBounds.allocatedBytes();
        VibrationWindow w;
        try {
            w = JSON.decode(data);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refusal says why: " + e);
            return;
        }
        if (warm) {
            FuzzBounds.assertLinearMemory(FuzzBounds.allocatedBytes() - before, data.length, 64, 1 << 20, "VibrationWindowJson");
        }
        if (w.channels != null) {
            assertTrue(w.channels.length <= 4, "channels " + w.channels.length);
            for (float[] ch : w.channels) {
                assertTrue(ch == null || ch.length <= 64, "samples");
            }
        }
        for (String s : new String[] {w.machine, w.fleet, w.label}) {
            assertTrue(s == null || s.length() <= FuzzRecords.LIMITS.maxStringLength(), "string bound");
        }
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(data);
        } catch (IOException e) {
            fail("accepted a document the strict mapper refuses: " + e.getMessage());
            return;
        }
        assertTrue(tree.isObject(), "an object");
        assertEquals(text(tree, "machine"), w.machine);
        assertEquals(text(tree, "fleet"), w.fleet);
        assertEquals(text(tree, "label"), w.label);
        JsonNode t = tree.get("time");
        assertEquals(t == null ? 0 : t.isIntegralNumber() ? t.longValue() : Json.parseTime(t.textValue()), w.time);
        JsonNode rate = tree.get("sample_rate_hz");
        assertEquals(rate == null ? 0 : rate.doubleValue(), w.sampleRateHz);
        JsonNode ch = tree.get("channels");
        if (ch == null || ch.isNull()) {
            assertEquals(null, w.channels);
            return;
        }
        assertEquals(ch.size(), w.channels.length);
        for (int c = 0; c < ch.size(); c++) {
            JsonNode samples = ch.get(c);
            if (samples.isNull()) {
                assertEquals(null, w.channels[c]);
                continue;
            }
            assertEquals(samples.size(), w.channels[c].length);
            for (int i = 0; i < samples.size(); i++) {
                assertEquals(samples.get(i).floatValue(), w.channels[c][i], "channel " + c + " sample " + i);
            }
        }
    }

    private static String text(JsonNode tree, String field) {
        JsonNode n = tree.get(field);
        return n == null || n.isNull() ? null : n.textValue();
    }
}
