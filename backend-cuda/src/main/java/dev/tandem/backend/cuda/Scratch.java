package dev.tandem.backend.cuda;

import dev.tandem.learning.tensor.DType;

import java.util.HashMap;
import java.util.Map;

/**
 * Named, grow-only device buffers of one backend (convolution columns, products, reduction partials), so that a
 * training step allocates nothing after the first; used under the runtime's lock.
 */
final class Scratch {
    private final CudaBackend backend;
    private final Map<String, CudaTensor> buffers = new HashMap<>();

    Scratch(CudaBackend backend) {
        this.backend = backend;
    }

    /** A buffer of at least the given size, viewed with this shape (contents undefined). */
    CudaTensor get(String name, DType dtype, int... shape) {
        String key = name + dtype;
        long need = 1;
        for (int d : shape) {
            need *= d;
        }
        if (need > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("scratch " + name + " of " + need + " elements is too large");
        }
        CudaTensor b = buffers.get(key);
        if (b == null || b.size() < need) {
            long grown = Math.max(need, b == null ? 0 : b.size() + b.size() / 2);
            b = backend.allocate(dtype, new int[] {(int) Math.min(grown, Integer.MAX_VALUE)});
            buffers.put(key, b);
        }
        return b.size() == need ? b : new CudaTensor(backend, dtype, shape, b.memory());
    }

    void clear() {
        buffers.clear();
    }
}
