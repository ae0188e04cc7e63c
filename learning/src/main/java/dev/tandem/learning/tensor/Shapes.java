package dev.tandem.learning.tensor;

import java.util.Arrays;

/** Small helpers for int[] shapes. */
public final class Shapes {
    private Shapes() {
    }

    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    /** Product of the dimensions after the first: the size of one example of a batch. */
    public static int perExample(int[] shape) {
        return size(Arrays.copyOfRange(shape, 1, shape.length));
    }

    public static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    public static void requireRank(Tensor t, int rank, String what) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(what + " must have rank " + rank + ", got " + t.describe());
        }
    }

    public static void requireSameShape(Tensor a, Tensor b, String what) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(what + ": shapes differ: " + a.describe() + " vs " + b.describe());
        }
    }
}
