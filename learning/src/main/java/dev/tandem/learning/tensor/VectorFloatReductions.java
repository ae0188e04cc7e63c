package dev.tandem.learning.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.tandem.learning.tensor.FloatReductions.RUN;

/**
 * {@link FloatReductions} in the Vector API at the CPU's preferred width. Loaded only when the module is present
 * (the facade's branch on a constant is never taken otherwise, so this class is never resolved).
 */
final class VectorFloatReductions {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** The int lanes of F's shape: a constant, or C2 cannot intrinsify the int ops and boxes every vector. */
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    private VectorFloatReductions() {
    }

    static int bits() {
        return F.vectorBitSize();
    }

    static double sum(float[] x, int from, int to) {
        double total = 0;
        for (int r = from; r < to; r += RUN) {
            int end = Math.min(to, r + RUN);
            FloatVector acc = FloatVector.zero(F);
            int i = r;
            for (; i + L <= end; i += L) {
                acc = acc.add(FloatVector.fromArray(F, x, i));
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; i < end; i++) {
                s += x[i];
            }
            total += s;
        }
        return total;
    }

    static double squaredDeviations(float[] x, int from, int to, float m) {
        double total = 0;
        FloatVector mv = FloatVector.broadcast(F, m);
        for (int r = from; r < to; r += RUN) {
            int end = Math.min(to, r + RUN);
            FloatVector acc = FloatVector.zero(F);
            int i = r;
            for (; i + L <= end; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, i).sub(mv);
                acc = d.fma(d, acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; i < end; i++) {
                float d = x[i] - m;
                s += d * d;
            }
            total += s;
        }
        return total;
    }

    static void sumAndDot(float[] a, float[] b, int from, int to, double[] sums) {
        for (int r = from; r < to; r += RUN) {
            int end = Math.min(to, r + RUN);
            FloatVector sa = FloatVector.zero(F);
            FloatVector sp = FloatVector.zero(F);
            int i = r;
            for (; i + L <= end; i += L) {
                FloatVector va = FloatVector.fromArray(F, a, i);
                sa = sa.add(va);
                sp = va.fma(FloatVector.fromArray(F, b, i), sp);
            }
            float s = sa.reduceLanes(VectorOperators.ADD);
            float p = sp.reduceLanes(VectorOperators.ADD);
            for (; i < end; i++) {
                s += a[i];
                p += a[i] * b[i];
            }
            sums[0] += s;
            sums[1] += p;
        }
    }

    /** The scalar test per lane: the exponent field plus one lowest step carries into the sign bit only for NaN, ±Inf. */
    static boolean allFinite(float[] a, int from, int to) {
        IntVector bad = IntVector.zero(I);
        int i = from;
        for (; i + L <= to; i += L) {
            IntVector bits = FloatVector.fromArray(F, a, i).reinterpretAsInts();
            bad = bad.or(bits.and(0x7f800000).add(0x00800000));
        }
        int tail = bad.reduceLanes(VectorOperators.OR);
        for (; i < to; i++) {
            tail |= (Float.floatToRawIntBits(a[i]) & 0x7f800000) + 0x00800000;
        }
        return tail >= 0;
    }
}
