package dev.tandem.models.gearbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.models.fuzz.FuzzBounds;
import dev.tandem.models.fuzz.FuzzFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link VibrationManifest#readChannels} on any channel CSV, plain or gzip (docs/FUZZING.md). Properties:
 * either an {@link IOException} naming the file, or distinct non-empty channel names, one channel per name, all of
 * one length &gt;= 1, every sample finite; memory linear in the file (a header of many names is not many large
 * buffers).
 */
class VibrationChannelsFuzzTest {
    /** False during the warm-up read, whose allocations are class loading, not the input's doing. */
    private static boolean warm;

    static {
        if (FuzzFiles.fuzzing()) {
            System.setProperty("tandem.csv.max-line-chars", "300");
            System.setProperty("tandem.csv.max-fields", "40");
        }
        // one read before any is measured: class loading and initialisation are not the input's doing
        try {
            new VibrationChannelsFuzzTest().readsChannelsOrRefusesTheFile("a,b\n1,2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException("the warm-up input is read", e);
        }
        warm = true;
    }

    @FuzzTest(maxDuration = "3m")
    void readsChannelsOrRefusesTheFile(byte[] data) throws IOException {
        if (FuzzFiles.tooLargeInflated(data)) {
            return;
        }
        Path file = FuzzFiles.write("recording.csv", data);
        long before = FuzzBounds.allocatedBytes();
        VibrationManifest.ChannelData d;
        try {
            d = VibrationManifest.readChannels(file);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(file.toString()), () -> "the error names the file: " + e);
            FuzzBounds.assertReason(e.getMessage(), 2000);
            return;
        }
        byte[] content = FuzzFiles.content(data);
        if (warm) {
            FuzzBounds.assertLinearMemory(FuzzBounds.allocatedBytes() - before, content == null ? data.length : content.length,
                    64, 2 << 20, "readChannels");
        }
        assertEquals(d.names().size(), new HashSet<>(d.names()).size(), "distinct names");
        assertEquals(d.names().size(), d.samples().length, "one channel per name");
        int n = d.length();
        assertTrue(n >= 1, "at least one sample");
        for (float[] ch : d.samples()) {
            assertEquals(n, ch.length, "channels of one length");
            for (float v : ch) {
                assertTrue(Float.isFinite(v), "finite samples");
            }
        }
        for (String name : d.names()) {
            assertTrue(!name.isEmpty(), "named channels");
        }
    }
}
