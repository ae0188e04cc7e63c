package dev.tandem.learning.io;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.BatchNorm;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ModelHashTest {
    private final JavaBackend backend = new JavaBackend();

    private Sequential model(long seed) {
        // tensors of 2 (batch norm), 112 and 7 (dense) values: shorter than a round of lanes, and with tails
        return new Sequential(backend, DType.FLOAT32, new int[] {2, 8}, List.of(BatchNorm.Spec.defaults(),
                new Flatten.Spec(), new Dense.Spec(7)), seed);
    }

    @Test
    void isTheDocumentedLaneHash() {
        Sequential m = model(3);
        List<Tensor> tensors = new ArrayList<>();
        m.params().forEach(p -> tensors.add(p.value()));
        tensors.addAll(m.buffers());
        // the definition, written out plainly: value i of each tensor into lane i mod 8, then the lanes in order
        long[] lanes = new long[8];
        java.util.Arrays.fill(lanes, 0xcbf29ce484222325L);
        for (Tensor t : tensors) {
            float[] v = t.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                lanes[i % 8] = (lanes[i % 8] ^ Float.floatToRawIntBits(v[i])) * 0x100000001b3L;
            }
        }
        long h = 0xcbf29ce484222325L;
        for (long lane : lanes) {
            h = (h ^ lane) * 0x100000001b3L;
        }
        assertEquals(String.format("%016x", h), ModelHash.of(m));
        assertEquals(16, ModelHash.of(m).length());
    }

    @Test
    void equalWeightsHashEqualAndAnyChangedBitChangesIt() {
        assertEquals(ModelHash.of(model(5)), ModelHash.of(model(5)));
        Sequential m = model(5);
        String before = ModelHash.of(m);
        for (Param p : m.params()) {
            float[] v = p.value().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                float keep = v[i];
                v[i] = Float.intBitsToFloat(Float.floatToRawIntBits(keep) ^ 1);
                backend.copyFromHost(v, p.value());
                assertNotEquals(before, ModelHash.of(m), p.name() + "[" + i + "]");
                v[i] = keep;
                backend.copyFromHost(v, p.value());
            }
        }
        assertEquals(before, ModelHash.of(m));
    }
}
