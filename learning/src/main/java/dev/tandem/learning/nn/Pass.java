package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.CounterRng;

/**
 * How a forward pass runs: training (batch statistics, dropout on) or inference, and the seed its random
 * layers derive their draws from, so a pass is reproducible from (model seed, step).
 */
public record Pass(boolean training, long seed) {
    public static final Pass INFERENCE = new Pass(false, 0);

    public static Pass training(long seed) {
        return new Pass(true, seed);
    }

    /** The seed of the layer at the given index. */
    public long seedFor(int layerIndex) {
        return CounterRng.mix(seed, layerIndex);
    }
}
