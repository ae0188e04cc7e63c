package dev.tandem.tools.convert;

import dev.tandem.tools.eval.GearboxEvaluation;
import dev.tandem.models.data.SharedData;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.models.gearbox.VibrationManifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GfdConversionTest {
    @TempDir
    Path tmp;

    @Test
    void fileNamesGiveLabelAndMachine() {
        assertArrayEquals(new String[] {"broken_tooth", "gfd-30hz-load50"}, GfdConversion.describe("b30hz50.csv.gz"));
        assertArrayEquals(new String[] {"healthy", "gfd-30hz-load0"}, GfdConversion.describe("h30hz0.csv"));
        assertArrayEquals(new String[] {"healthy", "gfd-25hz-load100"}, GfdConversion.describe("H25HZ100.CSV.GZ"));
        assertNull(GfdConversion.describe("x30hz0.csv.gz"));
        assertNull(GfdConversion.describe("NOTICE.md"));
    }

    @Test
    void handMadeFolderIsSortedNumericallyAndOddFilesAreSkipped() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        for (String name : new String[] {"h30hz90.csv", "h30hz10.csv", "b30hz0.csv", "h30hz0.csv"}) {
            Files.writeString(data.resolve(name), "a1,a2\n1,2\n3,4\n");
        }
        Files.writeString(data.resolve("other.csv"), "a1,a2\n1,2\n");
        Files.writeString(data.resolve("NOTICE.md"), "# notes\n");
        GfdConversion.Result r = GfdConversion.convert(data, 2560.5, tmp.resolve("out"), false, new GfdConversion.Listener() {
        });
        assertEquals(List.of("broken_tooth", "healthy", "healthy", "healthy"),
                r.recordings().stream().map(GfdConversion.Recording::label).toList());
        assertEquals(List.of("gfd-30hz-load0", "gfd-30hz-load0", "gfd-30hz-load10", "gfd-30hz-load90"),
                r.recordings().stream().map(GfdConversion.Recording::machine).toList());
        assertEquals(List.of("other.csv"), r.skipped().stream().map(p -> p.getFileName().toString()).toList());
        VibrationManifest m = VibrationManifest.read(tmp.resolve("out"));
        assertEquals("../data/b30hz0.csv", m.entries().get(0).file());
        assertEquals(2560.5, m.entries().get(0).sampleRateHz(), "kept as given");
        assertEquals(2, VibrationManifest.readRecording(m.entries().get(3)).length());

        GfdConversion.convert(data, 100, tmp.resolve("copied"), true, new GfdConversion.Listener() {
        });
        VibrationManifest c = VibrationManifest.read(tmp.resolve("copied"));
        assertEquals("b30hz0.csv", c.entries().get(0).file());
        assertTrue(Files.isRegularFile(tmp.resolve("copied/h30hz90.csv")));

        Files.writeString(data.resolve("b30hz10.csv"), "a1,a2,a3\n1,2,3\n");
        Exception e = assertThrows(java.io.IOException.class, () -> GfdConversion.convert(data, 100, tmp.resolve("o2"),
                false, new GfdConversion.Listener() {
                }));
        assertTrue(e.getMessage().contains("b30hz10.csv") && e.getMessage().contains("a3"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> GfdConversion.convert(data, -1, tmp.resolve("o3"), false, new GfdConversion.Listener() {
                }));
        assertTrue(bad.getMessage().contains("--sample-rate"), bad.getMessage());
    }

    @Test
    void realSpectraQuestDataConvertsToTwentyRecordingsOfTenLoads() throws Exception {
        Optional<Path> gfd = SharedData.dataset("gearbox-gfd");
        assumeTrue(gfd.isPresent(), SharedData.absentMessage("gearbox-gfd"));
        GfdConversion.Result r = GfdConversion.convert(gfd.get(), 25600, tmp.resolve("gfd"), false,
                new GfdConversion.Listener() {
                });
        assertEquals(20, r.recordings().size());
        assertEquals(2_021_119L, r.rows(), "NOTICE.md: 2,021,119 rows in total");
        VibrationManifest m = VibrationManifest.read(r.manifest());
        assertEquals(List.of("broken_tooth", "healthy"), m.labels());
        assertEquals(10, m.machines().size());
        assertTrue(m.machines().contains("gfd-30hz-load90"));
        for (VibrationManifest.Entry e : m.entries()) {
            assertEquals(25600.0, e.sampleRateHz());
            assertTrue(Files.isRegularFile(e.path()), e.file());
        }
        assertEquals(List.of("a1", "a2", "a3", "a4"), r.recordings().get(0).channels());
        assertEquals(10, m.entries().stream().filter(e -> e.label().equals("healthy")).count());

        // and the converted set feeds the gearbox evaluation: one short pass over two load levels
        GearboxEvaluation.Result e = new GearboxEvaluation(new GearboxEvaluation.Settings(2048, 512, 2048,
                List.of("gfd-30hz-load0", "gfd-30hz-load90"), null, null, 1, 32, 1e-3, 1, true, true, true),
                Backends.choose("auto").backend()).run(m, new GearboxEvaluation.Listener() {
                });
        assertEquals(2, e.classes().size());
        assertEquals(4, e.channels());
        assertTrue(e.holdoutAccuracy() > 0.75, "chance is 0.5; holdout accuracy " + e.holdoutAccuracy());
        System.err.printf(java.util.Locale.ROOT, "GFD loads 0 and 90, one pass: prequential %.4f holdout %.4f (%d windows)%n",
                e.prequentialAccuracy(), e.holdoutAccuracy(), e.windows());
    }
}
