package dev.tandem.models.gearbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.models.fuzz.FuzzBounds;
import dev.tandem.models.fuzz.FuzzFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link VibrationManifest#read} on any manifest, plain or gzip (docs/FUZZING.md). Properties: either an
 * {@link IOException} naming the manifest, or at least one entry, each with a file name, its path resolved against
 * the manifest's folder (no two the same), a finite sample rate &gt; 0 and a machine id, in rising line order;
 * labels and machines distinct and sorted; memory linear in the manifest.
 */
class VibrationManifestFuzzTest {
    /** False during the warm-up read, whose allocations are class loading, not the input's doing. */
    private static boolean warm;

    static {
        if (FuzzFiles.fuzzing()) {
            System.setProperty("tandem.csv.max-line-chars", "300");
            System.setProperty("tandem.csv.max-fields", "40");
        }
        // one read before any is measured: class loading and initialisation are not the input's doing
        try {
            new VibrationManifestFuzzTest().readsEntriesOrRefusesTheManifest("file,label,sample_rate_hz,machine\nx.csv,a,1,m\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException("the warm-up input is read", e);
        }
        warm = true;
    }

    @FuzzTest(maxDuration = "3m")
    void readsEntriesOrRefusesTheManifest(byte[] data) throws IOException {
        if (FuzzFiles.tooLargeInflated(data)) {
            return;
        }
        Path file = FuzzFiles.write(VibrationManifest.FILE_NAME, data);
        long before = FuzzBounds.allocatedBytes();
        VibrationManifest m;
        try {
            m = VibrationManifest.read(file.getParent());
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(file.toString()), () -> "the error names the manifest: " + e);
            FuzzBounds.assertReason(e.getMessage(), 2000);
            return;
        }
        byte[] content = FuzzFiles.content(data);
        if (warm) {
            FuzzBounds.assertLinearMemory(FuzzBounds.allocatedBytes() - before, content == null ? data.length : content.length,
                    256, 2 << 20, "VibrationManifest");
        }
        assertTrue(!m.entries().isEmpty(), "a manifest lists recordings");
        Set<Path> paths = new HashSet<>();
        int line = 0;
        for (VibrationManifest.Entry e : m.entries()) {
            assertTrue(e.line() > line, "rising lines");
            line = e.line();
            assertTrue(!e.file().isEmpty() && !e.machine().isEmpty(), "file and machine");
            assertTrue(Double.isFinite(e.sampleRateHz()) && e.sampleRateHz() > 0, "rate " + e.sampleRateHz());
            assertEquals(file.getParent().resolve(e.file()).normalize(), e.path());
            assertTrue(paths.add(e.path()), "listed once: " + e.path());
        }
        assertEquals(List.copyOf(new TreeSet<>(m.labels())), m.labels());
        assertEquals(List.copyOf(new TreeSet<>(m.machines())), m.machines());
    }
}
