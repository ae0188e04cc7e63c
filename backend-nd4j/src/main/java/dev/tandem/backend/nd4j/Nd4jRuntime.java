package dev.tandem.backend.nd4j;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;

/**
 * Loads ND4J once per JVM, after capping JavaCPP's off-heap memory, and says what was loaded.
 *
 * <p><b>Off-heap caps.</b> ND4J allocates its arrays through JavaCPP, which frees them when the garbage
 * collector notices the Java objects are gone; left alone, it may hold up to the heap size off-heap and lets the
 * process grow to 4 × heap. Unless the caller already chose, {@link #load()} sets, before the first
 * JavaCPP class initialises:
 * <ul>
 *   <li>{@code org.bytedeco.javacpp.maxbytes} = {@value #DEFAULT_MAX_BYTES} (off-heap memory JavaCPP may hold;
 *       past it, an allocation first runs the GC and then fails with {@code OutOfMemoryError});</li>
 *   <li>{@code org.bytedeco.javacpp.maxphysicalbytes} = max(3 GiB, max heap + 2 GiB) (the whole process's
 *       resident size, heap included, beyond which a JavaCPP allocation fails; it must exceed the heap, which
 *       is why it follows {@code -Xmx} instead of being a fixed 3 GiB).</li>
 * </ul>
 * Override with {@code -Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=8G} (also
 * through {@code JAVA_TOOL_OPTIONS} or Flink's {@code env.java.opts}), or with the environment variables
 * {@value #ENV_MAX_BYTES} / {@value #ENV_MAX_PHYSICAL_BYTES}; a system property wins over the environment. Values
 * take JavaCPP's units (k, m, g, t, or % of the max heap); 0 means "no limit". The caps only take effect if set
 * before ND4J or any other JavaCPP library is first used in the JVM.
 */
final class Nd4jRuntime {
    static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";
    static final String ENV_MAX_BYTES = "TANDEM_ND4J_MAXBYTES";
    static final String ENV_MAX_PHYSICAL_BYTES = "TANDEM_ND4J_MAXPHYSICALBYTES";
    static final String DEFAULT_MAX_BYTES = "1G";
    private static final long GIB = 1L << 30;

    /** Result of loading: usable or not, with the reason. */
    record Status(boolean usable, String reason) {
    }

    private static volatile Status status;

    private Nd4jRuntime() {
    }

    /** Loads ND4J (first call only) and reports; never throws. */
    static Status load() {
        Status s = status;
        if (s == null) {
            synchronized (Nd4jRuntime.class) {
                s = status;
                if (s == null) {
                    s = doLoad();
                    status = s;
                }
            }
        }
        return s;
    }

    /** Loads ND4J or throws IllegalStateException with the reason it cannot run here. */
    static void require() {
        Status s = load();
        if (!s.usable()) {
            throw new IllegalStateException("ND4J is not usable here: " + s.reason());
        }
    }

    private static Status doLoad() {
        try {
            applyMemoryDefaults();
            NativeBuild build = NativeBuild.select();
            if (!build.chosenByUser() && build.extension().startsWith("(")) {
                return new Status(false, "no nd4j-native build on the class path runs on this CPU (the oneDNN build "
                        + "needs AVX2 and FMA; CPU vector flags: " + build.vectorFlags() + ")");
            }
            INDArray probe = Nd4j.create(DataType.FLOAT, 1);
            probe.close();
            // The matrix products call the OpenBLAS that ND4J itself links (and calls from CpuLevel3).
            FloatPointer a = new FloatPointer(1f);
            FloatPointer b = new FloatPointer(2f);
            FloatPointer c = new FloatPointer(0f);
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasNoTrans, 1, 1, 1, 1f, a, 1, b, 1, 0f, c, 1);
            float product = c.get(0);
            a.close();
            b.close();
            c.close();
            if (product != 2f) {
                return new Status(false, "OpenBLAS smoke test computed 1*2 = " + product);
            }
            return new Status(true, describe());
        } catch (LinkageError | Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (root != e) {
                msg += " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
            }
            return new Status(false, "ND4J failed to load: " + msg);
        }
    }

    /** Sets the JavaCPP caps unless the user chose them; see the class comment. */
    static void applyMemoryDefaults() {
        if (unset(MAX_BYTES) && unset("org.bytedeco.javacpp.maxBytes")) {
            String env = System.getenv(ENV_MAX_BYTES);
            System.setProperty(MAX_BYTES, env != null && !env.isBlank() ? env.trim() : DEFAULT_MAX_BYTES);
        }
        if (unset(MAX_PHYSICAL_BYTES) && unset("org.bytedeco.javacpp.maxPhysicalBytes")) {
            String env = System.getenv(ENV_MAX_PHYSICAL_BYTES);
            System.setProperty(MAX_PHYSICAL_BYTES,
                    env != null && !env.isBlank() ? env.trim() : Long.toString(defaultMaxPhysicalBytes()));
        }
    }

    static long defaultMaxPhysicalBytes() {
        long heap = Runtime.getRuntime().maxMemory();
        if (heap == Long.MAX_VALUE) {
            return 0; // no heap limit known: no physical limit either
        }
        return Math.max(3 * GIB, heap + 2 * GIB);
    }

    private static boolean unset(String key) {
        String v = System.getProperty(key);
        return v == null || v.isBlank();
    }

    private static String describe() {
        String version = nd4jVersion();
        String vendor;
        try {
            vendor = String.valueOf(Nd4j.factory().blas().getBlasVendor());
        } catch (RuntimeException e) {
            vendor = "BLAS unknown";
        }
        String vendorName = vendor.equalsIgnoreCase("OPENBLAS") ? "OpenBLAS" : vendor;
        return String.format(Locale.ROOT,
                "ND4J %s %s, %s single-threaded per call, %d example-parallel workers (tandem.nd4j.threads); "
                        + "off-heap cap %s, process cap %s",
                version, NativeBuild.select(),
                vendorName, ExampleParallelism.defaultWorkers(),
                System.getProperty(MAX_BYTES, "default"), formatBytes(System.getProperty(MAX_PHYSICAL_BYTES)));
    }

    private static String formatBytes(String v) {
        if (v == null) {
            return "default";
        }
        try {
            long b = Long.parseLong(v);
            if (b == 0) {
                return "none";
            }
            return b % GIB == 0 ? (b / GIB) + "G" : (b >> 20) + "M";
        } catch (NumberFormatException e) {
            return v;
        }
    }

    static String nd4jVersion() {
        try (InputStream in = Nd4j.class.getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) {
                    return v;
                }
            }
        } catch (Exception ignored) {
            // fall through
        }
        String v = Nd4j.class.getPackage().getImplementationVersion();
        return v == null ? "(version unknown)" : v;
    }
}
