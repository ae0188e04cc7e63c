package dev.tandem.learning.io;

import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Tensor;

import java.util.Arrays;

/**
 * A 64-bit hash (16 hex digits) of a model's parameter and buffer values, bit for bit: FNV-1a over the float bits in
 * {@value #LANES} interleaved lanes (value i of each tensor, in order, into lane i mod {@value #LANES}; every lane
 * runs on through all tensors), the lane hashes then FNV-1a-mixed in lane order. Lanes, because one FNV chain is
 * a dependent multiply per value (~4 cycles): the stream trainer hashes its model after every step, and the
 * gearbox network's hash took 5% of the W4 trainer thread.
 */
public final class ModelHash {
    private ModelHash() {
    }

    static final int LANES = 8;
    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    public static String of(Sequential model) {
        long[] lanes = new long[LANES];
        Arrays.fill(lanes, OFFSET);
        for (Param p : model.params()) {
            mix(lanes, p.value().toFloatArray());
        }
        for (Tensor b : model.buffers()) {
            mix(lanes, b.toFloatArray());
        }
        long h = OFFSET;
        for (long lane : lanes) {
            h = (h ^ lane) * PRIME;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }

    private static void mix(long[] lanes, float[] v) {
        long h0 = lanes[0];
        long h1 = lanes[1];
        long h2 = lanes[2];
        long h3 = lanes[3];
        long h4 = lanes[4];
        long h5 = lanes[5];
        long h6 = lanes[6];
        long h7 = lanes[7];
        int i = 0;
        for (; i + 7 < v.length; i += 8) {
            h0 = (h0 ^ Float.floatToRawIntBits(v[i])) * PRIME;
            h1 = (h1 ^ Float.floatToRawIntBits(v[i + 1])) * PRIME;
            h2 = (h2 ^ Float.floatToRawIntBits(v[i + 2])) * PRIME;
            h3 = (h3 ^ Float.floatToRawIntBits(v[i + 3])) * PRIME;
            h4 = (h4 ^ Float.floatToRawIntBits(v[i + 4])) * PRIME;
            h5 = (h5 ^ Float.floatToRawIntBits(v[i + 5])) * PRIME;
            h6 = (h6 ^ Float.floatToRawIntBits(v[i + 6])) * PRIME;
            h7 = (h7 ^ Float.floatToRawIntBits(v[i + 7])) * PRIME;
        }
        lanes[0] = h0;
        lanes[1] = h1;
        lanes[2] = h2;
        lanes[3] = h3;
        lanes[4] = h4;
        lanes[5] = h5;
        lanes[6] = h6;
        lanes[7] = h7;
        for (int k = 0; i < v.length; i++, k++) {
            lanes[k] = (lanes[k] ^ Float.floatToRawIntBits(v[i])) * PRIME;
        }
    }
}
