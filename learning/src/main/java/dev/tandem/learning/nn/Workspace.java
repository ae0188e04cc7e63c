package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;

/**
 * One activation buffer of a layer, reused across steps for the last two batch shapes it was asked for. Two, because
 * a stream trainer alternates between predicting single windows and training on a mini-batch: with one slot every
 * switch allocated (and zeroed) every layer's buffers afresh — in W4 a twelfth of the trainer thread, plus the GC.
 */
public final class Workspace {
    private Tensor recent;
    private Tensor older;

    /** A tensor of this dtype and shape: one of the last two handed out when it fits (its contents are stale). */
    public Tensor ensure(Backend backend, DType dtype, int... shape) {
        if (fits(recent, dtype, shape)) {
            return recent;
        }
        Tensor t = fits(older, dtype, shape) ? older : backend.zeros(dtype, shape);
        older = recent;
        recent = t;
        return t;
    }

    private static boolean fits(Tensor t, DType dtype, int[] shape) {
        return t != null && t.dtype() == dtype && Arrays.equals(t.shape(), shape);
    }
}
