package dev.tandem.backend.nd4j;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

import java.util.Arrays;

/**
 * One thread's reusable buffers: grow-only off-heap pointers that OpenBLAS reads and writes, and grow-only heap
 * arrays for im2col. Allocating off-heap memory per call costs a JavaCPP allocation, a deallocator registration
 * and GC pressure (measured: ND4J arrays created per call made a 48×48 product take 7 ms instead of 30 µs), so
 * each slot keeps the largest buffer it has needed until {@link #close()}. What a slot holds is the largest
 * operand of that role the thread has seen (for the toolkit CNN at batch 64, ~10 MB in all, most of it the
 * 3136×512 dense weight).
 * Not thread-safe: one per thread.
 */
final class Scratch {
    /** Slots per kind. */
    static final int SLOTS = 10;

    private final FloatPointer[] floats = new FloatPointer[SLOTS];
    private final DoublePointer[] doubles = new DoublePointer[SLOTS];
    private final float[][] heapFloats = new float[SLOTS][];
    private final double[][] heapDoubles = new double[SLOTS][];
    /** Weights laid out for the convolution kernels, kept while they stay the same. */
    final WeightLayouts layouts = new WeightLayouts();

    /** An off-heap float buffer of at least n elements, positioned at 0; contents are whatever was left there. */
    FloatPointer floats(int slot, long n) {
        FloatPointer p = floats[slot];
        if (p == null || p.capacity() < n) {
            if (p != null) {
                p.close();
            }
            p = new FloatPointer(Math.max(n, 1));
            floats[slot] = p;
        }
        return p.position(0);
    }

    DoublePointer doubles(int slot, long n) {
        DoublePointer p = doubles[slot];
        if (p == null || p.capacity() < n) {
            if (p != null) {
                p.close();
            }
            p = new DoublePointer(Math.max(n, 1));
            doubles[slot] = p;
        }
        return p.position(0);
    }

    /** A heap array of at least n elements; contents are whatever was left there. */
    float[] heapFloats(int slot, int n) {
        float[] a = heapFloats[slot];
        if (a == null || a.length < n) {
            a = new float[n];
            heapFloats[slot] = a;
        }
        return a;
    }

    double[] heapDoubles(int slot, int n) {
        double[] a = heapDoubles[slot];
        if (a == null || a.length < n) {
            a = new double[n];
            heapDoubles[slot] = a;
        }
        return a;
    }

    /** Off-heap bytes held. */
    long offHeapBytes() {
        long b = layouts.offHeapBytes();
        for (int i = 0; i < SLOTS; i++) {
            b += floats[i] == null ? 0 : floats[i].capacity() * Float.BYTES;
            b += doubles[i] == null ? 0 : doubles[i].capacity() * Double.BYTES;
        }
        return b;
    }

    /** Frees every buffer now (instead of whenever the GC notices); later calls allocate afresh. */
    void close() {
        Arrays.fill(heapFloats, null);
        Arrays.fill(heapDoubles, null);
        layouts.close();
        for (int i = 0; i < SLOTS; i++) {
            if (floats[i] != null) {
                floats[i].close();
                floats[i] = null;
            }
            if (doubles[i] != null) {
                doubles[i].close();
                doubles[i] = null;
            }
        }
    }
}
