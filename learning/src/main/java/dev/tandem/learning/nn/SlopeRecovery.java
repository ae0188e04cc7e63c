package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The slope-recovery term of locally adaptive activations (ALGORITHMS.md §3), added to the loss with weight W_a:
 * <pre>
 * S(a) = 1 / ( (1/K) Σ_k exp(mean_i a^k_i) )        K = number of adaptive layers (the paper's D − 1)
 * ∂S/∂a^k_i = −(S² / K) · exp(mean_i a^k_i) / N_k    N_k = number of slopes of layer k (1 when layer-wise)
 * </pre>
 * For a layer-wise layer mean_i a^k_i is its one slope, so one formula covers L-LAAF, N-LAAF and a mix. Note
 * exp(a), not exp(n·a). The means are backend reductions and the gradient a backend {@code addScalar} per layer.
 */
public final class SlopeRecovery {
    private final List<AdaptiveActivation> layers;
    private final double weight;

    public SlopeRecovery(List<AdaptiveActivation> layers, double weight) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("slope recovery needs at least one adaptive activation layer");
        }
        LayerSpec.require(weight >= 0 && Double.isFinite(weight), "slope_recovery.weight", weight, ">= 0");
        this.layers = List.copyOf(layers);
        this.weight = weight;
    }

    /** The term for a model's adaptive layers, or empty when it has none. */
    public static Optional<SlopeRecovery> of(Sequential model, double weight) {
        List<AdaptiveActivation> found = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l instanceof AdaptiveActivation a) {
                found.add(a);
            }
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(new SlopeRecovery(found, weight));
    }

    public double weight() {
        return weight;
    }

    public List<AdaptiveActivation> layers() {
        return layers;
    }

    /** S(a), unweighted. */
    public double value() {
        double sum = 0;
        for (AdaptiveActivation l : layers) {
            sum += Math.exp(mean(l.slope().value()));
        }
        return layers.size() / sum;
    }

    /**
     * Adds W_a·∂S/∂a into every slope's gradient (which the backward pass has just written) and returns W_a·S, the
     * amount to add to the loss.
     */
    public double addGradient() {
        int k = layers.size();
        double[] e = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            e[i] = Math.exp(mean(layers.get(i).slope().value()));
            sum += e[i];
        }
        double s = k / sum;
        for (int i = 0; i < k; i++) {
            Tensor g = layers.get(i).slope().grad();
            double d = -(s * s / k) * e[i] / g.size();
            g.backend().addScalar(g, weight * d);
        }
        return weight * s;
    }

    /** W_a·S, the amount to add to the loss of a forward pass. */
    public double weightedValue() {
        return weight * value();
    }

    private static double mean(Tensor a) {
        return a.backend().sum(a) / a.size();
    }
}
