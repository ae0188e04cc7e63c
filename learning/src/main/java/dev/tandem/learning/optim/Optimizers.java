package dev.tandem.learning.optim;

import java.io.Serializable;
import java.util.List;

/**
 * The one registry of optimizers by name: configuration keys ({@code gearbox.optimizer}, {@code rainfall.optimizer}),
 * the command line's {@code --optimizer} and the evaluations all build through {@link #create}, so every optimizer
 * has one spelling everywhere ({@link #NAMES}).
 */
public final class Optimizers {
    /** Every optimizer name, in the order {@code --help} lists them. */
    public static final List<String> NAMES = List.of("sgd", "adam", "yamadam", "lrsgd-c", "lrsgd-r", "s-sgd");

    private Optimizers() {
    }

    /**
     * The hyper-parameters an optimizer may take; each optimizer reads the ones it has (YamAdam none, Adam the
     * learning rate, SGD and LRSGD the learning rate and momentum, S-SGD all the {@code salp*} ones too).
     *
     * @param salps           S-SGD population (salps around the SGD food)
     * @param salpWindow      S-SGD half-width r of the salps' window
     * @param salpHorizon     S-SGD steps over which c1 decays
     * @param plateauPatience S-SGD steps without improvement before the swarm restarts (0 = never)
     */
    public record Spec(String name, double learningRate, double momentum, int salps, double salpWindow, int salpHorizon,
                       int plateauPatience, long seed) implements Serializable {
        public Spec {
            require(name, "optimizer");
        }

        /** Only a name, a learning rate and momentum; S-SGD's swarm gets one salp, r = 0.001, 1,000 steps. */
        public static Spec of(String name, double learningRate, double momentum, long seed) {
            return new Spec(name, learningRate, momentum, 1, 0.001, 1000, 0, seed);
        }

        public Spec withLearningRate(double lr) {
            return new Spec(name, lr, momentum, salps, salpWindow, salpHorizon, plateauPatience, seed);
        }

        public Optimizer build() {
            return create(this);
        }
    }

    public static Optimizer create(Spec s) {
        return switch (s.name()) {
            case "sgd" -> new Sgd(s.learningRate(), s.momentum(), 0);
            case "adam" -> new Adam(s.learningRate());
            case "yamadam" -> new YamAdam(YamAdam.DEFAULT_EPS);
            // LRSGD's λ_w is a tenth of its learning rate, as in the paper's defaults (0.1, 0.01)
            case "lrsgd-c" -> Lrsgd.c(s.learningRate(), s.learningRate() / 10, s.momentum(), 1e-4);
            case "lrsgd-r" -> Lrsgd.r(s.learningRate(), s.learningRate() / 10, s.momentum(), 1e-4, s.seed());
            case "s-sgd" -> new SalpSgd(s.learningRate(), s.momentum(), 0, s.salps(), s.salpWindow(), s.salpHorizon(), 2,
                    s.plateauPatience(), s.seed());
            default -> throw new IllegalStateException(s.name());
        };
    }

    /** Checks a name; the error names the setting ({@code key}) and the allowed values. */
    public static String require(String name, String key) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("invalid value '" + name + "' for " + key + "; allowed: "
                    + String.join(", ", NAMES));
        }
        return name;
    }
}
