package dev.tandem.learning.backend;

/** Reference matrix product C = alpha·op(A)·op(B) + beta·C, row-major, i-k-j order (vectorises in C2). */
final class JavaGemm {
    private JavaGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Buf a, Buf b,
                     double beta, Buf c) {
        if (a instanceof Buf.F32 af && b instanceof Buf.F32 bf && c instanceof Buf.F32 cf) {
            float[] am = transA ? transpose(af.a, k, m) : af.a;
            float[] bm = transB ? transpose(bf.a, n, k) : bf.a;
            gemmF(m, n, k, (float) alpha, am, bm, (float) beta, cf.a);
        } else {
            double[] am = toRowMajor(a, transA, m, k);
            double[] bm = toRowMajor(b, transB, k, n);
            double[] row = new double[n];
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(row, 0);
                for (int p = 0; p < k; p++) {
                    double aip = am[i * k + p];
                    if (aip == 0) {
                        continue;
                    }
                    int bo = p * n;
                    for (int j = 0; j < n; j++) {
                        row[j] += aip * bm[bo + j];
                    }
                }
                for (int j = 0; j < n; j++) {
                    double old = beta == 0 ? 0 : beta * c.get(i * n + j);
                    c.set(i * n + j, alpha * row[j] + old);
                }
            }
        }
    }

    private static void gemmF(int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c) {
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0f);
            int ao = i * k;
            for (int p = 0; p < k; p++) {
                float aip = a[ao + p];
                if (aip == 0f) {
                    continue;
                }
                int bo = p * n;
                for (int j = 0; j < n; j++) {
                    row[j] += aip * b[bo + j];
                }
            }
            int co = i * n;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) {
                    c[co + j] = alpha * row[j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    c[co + j] = alpha * row[j] + beta * c[co + j];
                }
            }
        }
    }

    /** Transposes a rows×cols row-major matrix. */
    private static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }

    /** op(X) as a row-major rows×cols double matrix. */
    private static double[] toRowMajor(Buf x, boolean trans, int rows, int cols) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = trans ? x.get(c * rows + r) : x.get(r * cols + c);
            }
        }
        return out;
    }
}
