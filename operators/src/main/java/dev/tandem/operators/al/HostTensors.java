package dev.tandem.operators.al;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;

/**
 * Record payloads (row-major float arrays) to batch tensors. A stage's payload was deserialised for it alone and the
 * engine's layers never write their inputs, so a host-memory backend wraps the array instead of copying it (stage
 * 1's input is 1 MiB per gearbox batch).
 */
final class HostTensors {
    private HostTensors() {
    }

    static Tensor tensor(Backend backend, DType dtype, float[] values, int n, int[] perExample) {
        int[] shape = Shapes.prepend(n, perExample);
        if (values.length != Shapes.size(shape)) {
            throw new IllegalArgumentException("a batch of " + n + " x " + java.util.Arrays.toString(perExample)
                    + " needs " + Shapes.size(shape) + " values, the signal has " + values.length);
        }
        if (dtype == DType.FLOAT32) {
            return backend instanceof JavaBackend host ? host.wrap(values, shape) : backend.fromHost(values, shape);
        }
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return backend.fromHost(d, shape);
    }
}
