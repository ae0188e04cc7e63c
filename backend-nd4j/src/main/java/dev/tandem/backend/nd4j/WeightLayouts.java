package dev.tandem.backend.nd4j;

import org.bytedeco.javacpp.FloatPointer;

import java.util.Arrays;

/**
 * One thread's weights already laid out for a kernel (tap-major for {@link TapConv}, space-to-depth for
 * {@link SpaceToDepth}, ...) and copied to native memory, kept while the weights stay bit for bit the same.
 *
 * <p>Why: a stream job infers one window at a time between training steps, and the relayout of the weights cost
 * more than the products themselves at batch 1 (W4's batch-1 gearbox inference: half of its Java samples were the
 * tap relayout, ~40 µs per 64×64×3 layer, against ~2 µs to compare the weights with a copy). The weights change only
 * at a training step, and a ConvLSTM applies the same weights at every time step.
 *
 * <p>Validity is checked, not assumed: an entry is used only when the caller passes the same array and its first
 * n elements equal the snapshot taken when the layout was made ({@link Arrays#equals(float[], int, int, float[],
 * int, int)}, one vectorised pass). So a layout is never stale, whoever changed the weights and however.
 * Entries are few ({@link #ENTRIES}, least recently used replaced) and weights over {@link #MAX_FLOATS} are laid out
 * afresh on every call. Not thread-safe: one per thread (held by {@link Scratch}).
 */
final class WeightLayouts {
    /** Layers' weights kept per thread: the gearbox network has 5 convolutions, the toolkit CNN 2, the ConvLSTM 2. */
    static final int ENTRIES = 16;
    /** Larger weights are not kept (a copy and a layout of each would be held per thread). */
    static final int MAX_FLOATS = 1 << 20;

    /** Writes w's layout into out (out.length may exceed the layout's length). */
    @FunctionalInterface
    interface Layout {
        void apply(float[] w, float[] out);
    }

    /** What a layout depends on besides the weights' values: the kernel and its operand shape. */
    record Key(String kind, int o, int c, int kh, int kw, int sh, int sw) {
    }

    private static final class Entry {
        float[] source;
        Key key;
        int n;
        int length;
        float[] snapshot;
        float[] out;
        FloatPointer pointer;
        boolean pointerCurrent;
        long used;
    }

    private final Entry[] entries = new Entry[ENTRIES];
    private final Entry uncached = new Entry();
    private long clock;
    private long hits;
    private long misses;

    /** The layout of w's first n elements (length floats) on the heap. */
    float[] heap(float[] w, int n, Key key, int length, Layout layout) {
        return entry(w, n, key, length, layout).out;
    }

    /** The layout of w's first n elements (length floats) in native memory, positioned at 0. */
    FloatPointer pointer(float[] w, int n, Key key, int length, Layout layout) {
        Entry e = entry(w, n, key, length, layout);
        if (!e.pointerCurrent) {
            if (e.pointer == null || e.pointer.capacity() < length) {
                if (e.pointer != null) {
                    e.pointer.close();
                }
                e.pointer = new FloatPointer(Math.max(1, length));
            }
            e.pointer.position(0).put(e.out, 0, length);
            e.pointerCurrent = true;
        }
        return e.pointer.position(0);
    }

    /** w [o, k] as it is, in native memory (the copy skipped while w is unchanged). */
    FloatPointer copy(float[] w, int o, int k) {
        int n = o * k;
        return pointer(w, n, new Key("as-is", o, k, 1, 1, 1, 1), n, (src, out) -> System.arraycopy(src, 0, out, 0, n));
    }

    private Entry entry(float[] w, int n, Key key, int length, Layout layout) {
        if (n > MAX_FLOATS || length > MAX_FLOATS) {
            Entry e = uncached;
            e.out = grow(e.out, length);
            layout.apply(w, e.out);
            e.pointerCurrent = false;
            misses++;
            return e;
        }
        Entry e = find(w, n, key, length);
        if (e != null && Arrays.equals(e.snapshot, 0, n, w, 0, n)) {
            e.used = ++clock;
            hits++;
            return e;
        }
        if (e == null) {
            e = victim();
            e.source = w;
            e.key = key;
            e.n = n;
            e.length = length;
            e.snapshot = grow(e.snapshot, n);
            e.out = grow(e.out, length);
        }
        System.arraycopy(w, 0, e.snapshot, 0, n);
        layout.apply(w, e.out);
        e.pointerCurrent = false;
        e.used = ++clock;
        misses++;
        return e;
    }

    private Entry find(float[] w, int n, Key key, int length) {
        for (Entry e : entries) {
            if (e != null && e.source == w && e.n == n && e.length == length && e.key.equals(key)) {
                return e;
            }
        }
        return null;
    }

    private Entry victim() {
        int oldest = 0;
        for (int i = 0; i < ENTRIES; i++) {
            if (entries[i] == null) {
                entries[i] = new Entry();
                return entries[i];
            }
            if (entries[i].used < entries[oldest].used) {
                oldest = i;
            }
        }
        return entries[oldest];
    }

    private static float[] grow(float[] a, int n) {
        return a == null || a.length < n ? new float[Math.max(1, n)] : a;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    /** Native bytes held. */
    long offHeapBytes() {
        long b = 0;
        for (Entry e : entries) {
            if (e != null && e.pointer != null) {
                b += e.pointer.capacity() * Float.BYTES;
            }
        }
        return b;
    }

    void close() {
        for (int i = 0; i < ENTRIES; i++) {
            if (entries[i] != null && entries[i].pointer != null) {
                entries[i].pointer.close();
            }
            entries[i] = null;
        }
        uncached.out = null;
    }
}
