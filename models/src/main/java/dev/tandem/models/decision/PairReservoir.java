package dev.tandem.models.decision;

import dev.tandem.learning.tensor.CounterRng;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A bounded, seeded reservoir of recent labelled (feature vector, class) pairs. Until full every pair is kept; then
 * each new pair replaces a uniformly chosen one (the choice for the n-th pair is a pure function of (seed, n), so a
 * restored reservoir continues exactly as the original would). The age of a kept pair decays geometrically: the
 * reservoir follows the stream (a recency-biased reservoir, Aggarwal 2006), which matters when the base network that
 * produces the vectors keeps learning.
 */
public final class PairReservoir {
    private static final long SALT = 0x52E5_E7A1_0B5E_ED01L;
    private final int capacity;
    private final int width;
    private final long seed;
    private final float[] x;
    private final int[] y;
    private int size;
    private long seen;

    public PairReservoir(int capacity, int width, long seed) {
        if (capacity < 1 || width < 1) {
            throw new IllegalArgumentException("reservoir of " + capacity + " pairs of width " + width);
        }
        this.capacity = capacity;
        this.width = width;
        this.seed = seed;
        this.x = new float[capacity * width];
        this.y = new int[capacity];
    }

    /** Keeps the pair (copied); returns its slot. */
    public int add(float[] features, int label) {
        if (features.length != width) {
            throw new IllegalArgumentException("pair of width " + features.length + ", reservoir holds " + width);
        }
        int slot = size < capacity ? size++ : (int) (CounterRng.uniform(seed ^ SALT, seen) * capacity);
        System.arraycopy(features, 0, x, slot * width, width);
        y[slot] = label;
        seen++;
        return slot;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public int width() {
        return width;
    }

    /** Pairs offered so far (kept or not). */
    public long seen() {
        return seen;
    }

    public int label(int i) {
        return y[i];
    }

    /** Copies pair i's features to out at offset. */
    public void features(int i, float[] out, int offset) {
        System.arraycopy(x, i * width, out, offset, width);
    }

    /** How many distinct labels the kept pairs have. */
    public int distinctLabels() {
        java.util.BitSet s = new java.util.BitSet();
        for (int i = 0; i < size; i++) {
            s.set(y[i]);
        }
        return s.cardinality();
    }

    /** int capacity · int width · long seed · int size · long seen · size × (width floats, int label). */
    public void write(DataOutput out) throws IOException {
        out.writeInt(capacity);
        out.writeInt(width);
        out.writeLong(seed);
        out.writeInt(size);
        out.writeLong(seen);
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < width; j++) {
                out.writeFloat(x[i * width + j]);
            }
            out.writeInt(y[i]);
        }
    }

    public static PairReservoir read(DataInput in) throws IOException {
        int capacity = in.readInt();
        int width = in.readInt();
        if (capacity < 1 || width < 1 || (long) capacity * width > 1 << 26) {
            throw new IOException("corrupt reservoir shape " + capacity + " x " + width);
        }
        PairReservoir r = new PairReservoir(capacity, width, in.readLong());
        int size = in.readInt();
        long seen = in.readLong();
        if (size < 0 || size > capacity || seen < size) {
            throw new IOException("corrupt reservoir fill " + size + "/" + capacity + " of " + seen + " seen");
        }
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < width; j++) {
                r.x[i * width + j] = in.readFloat();
            }
            r.y[i] = in.readInt();
        }
        r.size = size;
        r.seen = seen;
        return r;
    }
}
