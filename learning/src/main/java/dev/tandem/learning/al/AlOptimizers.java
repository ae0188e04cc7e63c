package dev.tandem.learning.al;

import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.Optimizers;

import java.util.List;

/**
 * The optimizers of a component's two losses: one for f_l and b_l (association), one for g_l and h_l
 * (autoencoder), each with its own state. Any engine optimizer works; the defaults are the reference code's:
 * Adam with lr 1e-4 for f/b and 2e-4 for g/h.
 */
public record AlOptimizers(Optimizer association, Optimizer autoencoder) {
    public static final double DEFAULT_ASSOCIATION_LR = 1e-4;
    public static final double DEFAULT_AUTOENCODER_LR = 2e-4;
    /** Names {@link #named} accepts. */
    public static final List<String> NAMES = List.of("sgd", "adam", "yamadam", "lrsgd-c", "lrsgd-r", "s-sgd",
            "adam+n-laaf");

    public AlOptimizers {
        if (association == null || autoencoder == null) {
            throw new IllegalArgumentException("AL needs an optimizer for each of its two losses");
        }
    }

    public static AlOptimizers defaults() {
        return new AlOptimizers(new Adam(DEFAULT_ASSOCIATION_LR), new Adam(DEFAULT_AUTOENCODER_LR));
    }

    /**
     * An engine optimizer by name with learning rate lr (YamAdam has none): adam, sgd (momentum 0.9), yamadam,
     * lrsgd-c, lrsgd-r (momentum 0.9, λ_w = lr/10, the paper's inner steps), s-sgd (4 salps, window 0.001, horizon 1000),
     * adam+n-laaf (Adam; the adaptive activations it goes with are the network's, built by
     * {@link AlNets.Options#withAdaptiveEncoders}, and their slope recovery is added to the losses by the component).
     * The key names the configuration entry in error messages.
     */
    public static Optimizer named(String key, String name, double lr, long seed) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException(key + " = " + name + "; allowed: " + String.join(", ", NAMES));
        }
        // adam+n-laaf is Adam on networks with adaptive activations: see AlNets.Options#withAdaptiveEncoders
        String engine = name.equals("adam+n-laaf") ? "adam" : name;
        return Optimizers.create(switch (engine) {
            case "sgd" -> Optimizers.Spec.of("sgd", lr, 0.9, seed);
            case "s-sgd" -> new Optimizers.Spec("s-sgd", lr, 0, 4, 0.001, 1000, 0, seed);
            default -> Optimizers.Spec.of(engine, lr, 0.9, seed);
        });
    }
}
