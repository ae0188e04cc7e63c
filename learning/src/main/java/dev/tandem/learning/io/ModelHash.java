package dev.tandem.learning.io;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Tensor;

/** A 64-bit hash (16 hex digits) of a model's parameter and buffer values, bit for bit (FNV-1a over the float bits). */
public final class ModelHash {
    private ModelHash() {
    }

    public static String of(Sequential model) {
        long h = 0xcbf29ce484222325L;
        for (Param p : model.params()) {
            h = mix(h, p.value());
        }
        for (Tensor b : model.buffers()) {
            h = mix(h, b);
        }
        return String.format("%016x", h);
    }

    private static long mix(long h, Tensor t) {
        for (float v : t.toFloatArray()) {
            h ^= Float.floatToRawIntBits(v);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
