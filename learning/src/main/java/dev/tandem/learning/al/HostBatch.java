package dev.tandem.learning.al;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;

/** Host arrays to batch tensors of a given dtype. */
final class HostBatch {
    private HostBatch() {
    }

    static Tensor tensor(Backend backend, DType dtype, float[] values, int n, int[] perExample) {
        int per = Shapes.size(perExample);
        if (values.length < n * per) {
            throw new IllegalArgumentException("batch of " + n + " needs " + n * per + " values, got " + values.length);
        }
        float[] v = values.length == n * per ? values : Arrays.copyOf(values, n * per);
        int[] shape = Shapes.prepend(n, perExample);
        if (dtype == DType.FLOAT32) {
            return backend.fromHost(v, shape);
        }
        double[] d = new double[v.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = v[i];
        }
        return backend.fromHost(d, shape);
    }

    static float[] oneHot(int[] labels, int n, int classes) {
        float[] t = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " outside 0.." + (classes - 1));
            }
            t[i * classes + y] = 1f;
        }
        return t;
    }

    static int[] argmaxRows(float[] scores, int n, int k) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (scores[i * k + j] > scores[i * k + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
