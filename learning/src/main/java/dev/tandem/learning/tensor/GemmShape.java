package dev.tandem.learning.tensor;

import java.util.Arrays;

/** The sizes of C = op(A)·op(B) for rank-2 tensors, checked once for every backend's {@code gemm}. */
public record GemmShape(int m, int n, int k) {

    public static GemmShape of(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c) {
        Shapes.requireRank(a, 2, "gemm A");
        Shapes.requireRank(b, 2, "gemm B");
        Shapes.requireRank(c, 2, "gemm C");
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb || c.dim(0) != m || c.dim(1) != n) {
            throw new IllegalArgumentException("gemm shapes: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n
                    + ", C " + Arrays.toString(c.shape()));
        }
        return new GemmShape(m, n, k);
    }

    public long macs() {
        return (long) m * n * k;
    }
}
