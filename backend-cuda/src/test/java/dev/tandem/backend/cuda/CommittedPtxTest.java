package dev.tandem.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The committed PTX ({@code src/main/resources/dev/tandem/backend/cuda/tandem.ptx}, what users without nvcc get) is
 * the compiled form of the committed CUDA sources: its recorded hash matches the sources (everywhere), and where nvcc
 * is installed the build's own nvcc output equals it (comments aside). After editing a kernel: {@code scripts/cuda-ptx}.
 */
class CommittedPtxTest {
    private static final Path SOURCES = Path.of(System.getProperty("cuda.sources", "src/main/cuda"));

    @Test
    void theRecordedHashIsTheHashOfTheSources() throws Exception {
        String recorded = resource("/dev/tandem/backend/cuda/tandem.ptx.sources-sha256").trim();
        assertEquals(recorded, sourcesHash(SOURCES), "the committed PTX is stale: the CUDA sources in " + SOURCES
                + " changed since it was generated; run scripts/cuda-ptx and commit the result");
    }

    @Test
    void theCommittedPtxIsWhatNvccMakesOfTheSources() throws Exception {
        Path nvcc = Path.of(System.getProperty("cuda.nvcc", "/usr/local/bin/nvcc"));
        assumeTrue(Files.isExecutable(nvcc), "no nvcc at " + nvcc + ": the committed PTX is used as it is");
        String committed = resource(CudaRuntime.PTX);
        Path built = Path.of(System.getProperty("cuda.ptx.built", "target/ptx/tandem.ptx"));
        String fresh;
        if (Files.isRegularFile(built) && Files.getLastModifiedTime(built).toMillis() >= newestSource()) {
            fresh = Files.readString(built);
        } else {
            Path out = Files.createTempFile("tandem", ".ptx");
            Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=" + System.getProperty("cuda.arch",
                    "compute_75"), "-O3", "-o", out.toString(), SOURCES.resolve("tandem.cu").toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "nvcc failed: " + log);
            fresh = Files.readString(out);
            Files.delete(out);
        }
        assumeTrue(release(committed).equals(release(fresh)), "nvcc here is " + release(fresh)
                + ", the committed PTX came from " + release(committed) + ": not comparable");
        assertEquals(code(committed), code(fresh), "the committed PTX is stale: run scripts/cuda-ptx and commit it");
        assertTrue(committed.contains(".entry gemm_f32") && committed.contains(".entry lstm_gates_backward_f64"));
    }

    /** For each file of the directory in byte order of names: its name, a newline, its bytes (as scripts/cuda-ptx). */
    static String sourcesHash(Path dir) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted((a, b) -> compareBytes(a.getFileName().toString(),
                    b.getFileName().toString())).toList();
        }
        for (Path f : files) {
            md.update((f.getFileName().toString() + "\n").getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(f));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static long newestSource() throws IOException {
        try (Stream<Path> s = Files.list(SOURCES)) {
            return s.mapToLong(p -> p.toFile().lastModified()).max().orElse(0);
        }
    }

    private static String release(String ptx) {
        return ptx.lines().filter(l -> l.startsWith("// Cuda compilation tools")).findFirst().orElse("unknown nvcc");
    }

    /** The PTX without its comment lines (the compiler's build stamp). */
    private static String code(String ptx) {
        StringBuilder b = new StringBuilder();
        ptx.lines().filter(l -> !l.startsWith("//")).forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = CommittedPtxTest.class.getResourceAsStream(name)) {
            assertTrue(in != null, "missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
