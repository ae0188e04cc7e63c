package dev.tandem.operators.gearbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.models.fuzz.FuzzBounds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the binary window decoder {@link VibrationWindowBinary#decode(byte[], int, int)} (docs/FUZZING.md), at most 4
 * channels of 64 samples. Properties: it returns a window or throws an {@link IOException} with a message, nothing
 * else; a window has at most 4 channels of one length of at most 64 and is exactly as long as its layout says;
 * encoding it and decoding again gives it back; memory linear in the record.
 */
class VibrationWindowBinaryFuzzTest {
    private static boolean warm;

    static {
        try {
            new VibrationWindowBinaryFuzzTest().decodesOrRefuses(VibrationWindowBinary.encode(
                    new VibrationWindow(1, "m", "f", 2.0, new float[][] {{1, 2}, {3, 4}}, "healthy")));
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
            w = VibrationWindowBinary.decode(data, 4, 64);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refusal says why: " + e);
            return;
        }
        if (warm) {
            FuzzBounds.assertLinearMemory(FuzzBounds.allocatedBytes() - before, data.length, 16, 64 << 10, "VibrationWindowBinary");
        }
        assertTrue(w.channels.length <= 4, "channels " + w.channels.length);
        int n = w.length();
        assertTrue(n <= 64, "samples " + n);
        for (float[] ch : w.channels) {
            assertEquals(n, ch.length, "channels of one length");
        }
        int strings = 0;
        for (String s : new String[] {w.machine, w.fleet, w.label}) {
            strings += s == null ? 0 : 2;
        }
        assertTrue(data.length >= 26 + strings + 4 * w.channels.length * n, "layout");
        assertEquals(w, VibrationWindowBinary.decode(VibrationWindowBinary.encode(w), 4, 64), "encode, decode again");
        if (w.machine != null) {
            assertTrue(w.machine.getBytes(StandardCharsets.UTF_8).length <= 3 * 0xFFFF, "string bound");
        }
    }
}
