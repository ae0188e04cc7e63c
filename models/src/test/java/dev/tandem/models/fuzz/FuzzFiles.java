package dev.tandem.models.fuzz;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Fuzz inputs of the file readers: one working folder per JVM, and how large a gzip input inflates. */
public final class FuzzFiles {
    /** Largest inflated size a fuzz input may have (a gzip bomb is linear work, only a slow one: not explored). */
    public static final int MAX_INFLATED = 1 << 20;
    private static Path dir;
    private static final java.util.Set<String> written = new java.util.HashSet<>();

    private FuzzFiles() {
    }

    /** Whether fuzzing (not a regression run on the corpus): the targets then make the readers' bounds reachable. */
    public static boolean fuzzing() {
        String v = System.getenv("JAZZER_FUZZ");
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /** Writes {@code data} to {@code name} in this JVM's working folder (deleted at exit) and returns the file. */
    public static synchronized Path write(String name, byte[] data) throws IOException {
        if (dir == null) {
            // in memory where there is a tmpfs: a fuzz target writes its input to a file on every execution
            Path shm = Path.of("/dev/shm");
            dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "tandem-fuzz-")
                    : Files.createTempDirectory("tandem-fuzz-");
            dir.toFile().deleteOnExit();
        }
        Path f = dir.resolve(name);
        Files.write(f, data);
        if (written.add(name)) {
            f.toFile().deleteOnExit(); // once per name (the folder, registered first, goes after its files)
        }
        return f;
    }

    public static boolean gzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /**
     * The content the readers see: {@code data} itself, or inflated when it starts with the gzip magic; null when
     * it inflates to more than {@link #MAX_INFLATED} bytes, or when the gzip data is corrupt (then only the
     * reader's refusal is checked).
     */
    public static byte[] content(byte[] data) {
        if (!gzip(data)) {
            return data;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            byte[] out = in.readNBytes(MAX_INFLATED + 1);
            return out.length > MAX_INFLATED ? null : out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether gzip {@code data} inflates to more than {@link #MAX_INFLATED} bytes (true for plain data: never). */
    public static boolean tooLargeInflated(byte[] data) {
        if (!gzip(data)) {
            return false;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readNBytes(MAX_INFLATED + 1).length > MAX_INFLATED;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
