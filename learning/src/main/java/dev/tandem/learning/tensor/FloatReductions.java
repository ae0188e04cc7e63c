package dev.tandem.learning.tensor;

/**
 * Sums over float arrays for the training step's reductions (batch-norm statistics and gradients, bias gradients,
 * window normalisation, finiteness checks), in float runs of at most {@link #RUN} values each added into a double
 * total, which bounds the float error like a pairwise sum.
 *
 * <p>Two implementations with the same contract. JDK 17's C2 never vectorises a floating-point reduction (it may
 * not reorder the additions), so a plain loop adds one value at a time whatever the CPU's vector width. With the
 * Vector API module on the module path ({@code --add-modules jdk.incubator.vector}, which the {@code tandem}
 * script, the test JVMs and the Flink images pass) the sums run in {@code FloatVector}s of the CPU's preferred
 * width (16 floats on AVX-512, 8 on AVX2 or under {@code -XX:UseAVX=2}); measured on 2 048 floats, Xeon AVX-512:
 * 1.2 against 0.12 µs per sum (JDK 17). Without the module, or with {@value #PROPERTY}{@code =false}, the scalar
 * loops run (four independent accumulators, no long dependency chain).
 */
public final class FloatReductions {
    /** Set to {@code false} to force the scalar loops (a comparison, or a JVM where C2 is off). */
    public static final String PROPERTY = "tandem.vector-api";

    /** Float runs of at most this many values, each then added into a double total (bounds the float error). */
    public static final int RUN = 256;

    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

    private FloatReductions() {
    }

    /** Which implementation runs, for benchmark reports: e.g. "vector-api 512-bit" or "scalar (…)". */
    public static String implementation() {
        if (VECTOR) {
            return "vector-api " + VectorFloatReductions.bits() + "-bit";
        }
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? "scalar (" + PROPERTY + "=false)" : "scalar (jdk.incubator.vector not added)";
    }

    /** Whether the Vector API implementation runs. */
    public static boolean vectorised() {
        return VECTOR;
    }

    /** Σ x[from, to). */
    public static double sum(float[] x, int from, int to) {
        return VECTOR ? VectorFloatReductions.sum(x, from, to) : ScalarFloatReductions.sum(x, from, to);
    }

    /** Σ (x − m)² over x[from, to). */
    public static double squaredDeviations(float[] x, int from, int to, float m) {
        return VECTOR ? VectorFloatReductions.squaredDeviations(x, from, to, m)
                : ScalarFloatReductions.squaredDeviations(x, from, to, m);
    }

    /** sums[0] += Σ a, sums[1] += Σ a·b over [from, to). */
    public static void sumAndDot(float[] a, float[] b, int from, int to, double[] sums) {
        if (VECTOR) {
            VectorFloatReductions.sumAndDot(a, b, from, to, sums);
        } else {
            ScalarFloatReductions.sumAndDot(a, b, from, to, sums);
        }
    }

    /** Whether every element of a[from, to) is finite (no NaN, no ±Inf). */
    public static boolean allFinite(float[] a, int from, int to) {
        return VECTOR ? VectorFloatReductions.allFinite(a, from, to) : ScalarFloatReductions.allFinite(a, from, to);
    }
}
