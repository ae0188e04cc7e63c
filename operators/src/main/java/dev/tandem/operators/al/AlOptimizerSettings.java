package dev.tandem.operators.al;

import dev.tandem.learning.al.AlOptimizers;

import java.io.Serializable;

/**
 * The optimizers of every component's two local losses, as configuration: one method for both losses (any of
 * {@link AlOptimizers#NAMES}) with its learning rate per loss. Hyperparameters are configuration, not state: a
 * restored stage takes them from here and checks their kinds against its stored optimizer states.
 */
public record AlOptimizerSettings(String method, double associationLr, double autoencoderLr, long seed)
        implements Serializable {
    public static final String KEY = "gearbox.al.optimizer";

    public AlOptimizerSettings {
        build(method, associationLr, autoencoderLr, seed); // fails now, naming the key, on a bad method or rate
    }

    public static AlOptimizerSettings defaults(long seed) {
        return new AlOptimizerSettings("adam", AlOptimizers.DEFAULT_ASSOCIATION_LR, AlOptimizers.DEFAULT_AUTOENCODER_LR,
                seed);
    }

    public AlOptimizers build() {
        return build(method, associationLr, autoencoderLr, seed);
    }

    private static AlOptimizers build(String method, double associationLr, double autoencoderLr, long seed) {
        return new AlOptimizers(AlOptimizers.named(KEY, method, associationLr, seed),
                AlOptimizers.named(KEY, method, autoencoderLr, seed + 1));
    }
}
