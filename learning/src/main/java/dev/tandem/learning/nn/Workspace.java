package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;

/** Reuses an activation buffer across steps while the batch shape stays the same. */
final class Workspace {
    private Workspace() {
    }

    static Tensor ensure(Tensor cached, Backend backend, DType dtype, int... shape) {
        if (cached != null && cached.dtype() == dtype && Arrays.equals(cached.shape(), shape)) {
            return cached;
        }
        return backend.zeros(dtype, shape);
    }
}
