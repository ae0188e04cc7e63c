package dev.tandem.models.rain;

/**
 * An exponentially weighted average forecaster with the AdaHedge learning rate (de Rooij, van Erven, Grünwald and
 * Koolen, "Follow the leader if you can, hedge if you must", JMLR 2014) and fixed share at rate 1/(t + 2) (Herbster
 * and Warmuth 1998; the decreasing rate of Koolen and de Rooij 2013). Each round, with the weights w before it:
 * the hedge loss {@code h = Σ w_i ℓ_i} and the mix loss {@code m = −(1/η) ln Σ w_i exp(−η ℓ_i)} add their difference
 * to the mixability gap Δ; {@code w_i ← w_i exp(−η ℓ_i)} (normalised) with {@code η = ln K / Δ} (infinite while
 * Δ = 0: the leaders of the round keep all the weight); then {@code w ← (1 − α) w + α / K}, α = 1/(t + 2).
 *
 * <p>Why these rules: neither has a parameter. The rate adapts to the scale of the losses (mm² per hour or per
 * month alike); the regret to the best expert of AdaHedge is at most {@code 2 S √(T ln K) + S (8/3 · ln K + 4)} for
 * losses in [0, S] whatever S is; the shared weight costs at most about {@code ln(T) / η} more, and in exchange an
 * expert that became good late (a network that had to learn first) takes the weight over after a loss advantage of
 * the order of {@code ln(t K) / η} instead of having to make up for all of its early losses.
 */
public final class AdaHedge {
    private final double[] logWeights;
    private double gap;
    private long rounds;

    public AdaHedge(int experts) {
        if (experts < 1) {
            throw new IllegalArgumentException("AdaHedge needs >= 1 expert, got " + experts);
        }
        logWeights = new double[experts];
        double u = -Math.log(experts);
        java.util.Arrays.fill(logWeights, u);
    }

    /** Restores the state read from {@link #logWeights()}, {@link #gap()} and {@link #rounds()}. */
    public static AdaHedge restored(double[] logWeights, double gap, long rounds) {
        AdaHedge a = new AdaHedge(logWeights.length);
        System.arraycopy(logWeights, 0, a.logWeights, 0, logWeights.length);
        a.gap = gap;
        a.rounds = rounds;
        return a;
    }

    public int experts() {
        return logWeights.length;
    }

    /** The natural logarithms of the weights (what is saved; exact, where weights would underflow). */
    public double[] logWeights() {
        return logWeights.clone();
    }

    /** The cumulative mixability gap Δ. */
    public double gap() {
        return gap;
    }

    /** Rounds with finite losses so far. */
    public long rounds() {
        return rounds;
    }

    /** The learning rate η = ln K / Δ; infinite while Δ = 0 (and for one expert). */
    public double eta() {
        return gap > 0 ? Math.log(logWeights.length) / gap : Double.POSITIVE_INFINITY;
    }

    /** The current weights (sum 1). */
    public double[] weights() {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logWeights) {
            max = Math.max(max, v);
        }
        double[] w = new double[logWeights.length];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(logWeights[i] - max);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    /**
     * One round of losses (one per expert). A round with a non-finite loss is skipped, so a broken component loses
     * weight only through finite losses and never poisons the others.
     */
    public void update(double[] loss) {
        int k = logWeights.length;
        if (loss.length != k) {
            throw new IllegalArgumentException("expected " + k + " losses, got " + loss.length);
        }
        for (double l : loss) {
            if (!Double.isFinite(l)) {
                return;
            }
        }
        double[] w = weights();
        double eta = eta();
        double hedge = 0;
        double lmin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            hedge += w[i] * loss[i];
            if (w[i] > 0) {
                lmin = Math.min(lmin, loss[i]);
            }
        }
        double[] post = new double[k];
        double mix;
        if (Double.isInfinite(eta)) {
            mix = lmin;
            for (int i = 0; i < k; i++) {
                post[i] = w[i] > 0 && loss[i] == lmin ? w[i] : 0;
            }
        } else {
            double s = 0;
            for (int i = 0; i < k; i++) {
                post[i] = w[i] * Math.exp(-eta * (loss[i] - lmin)); // shifted for a stable log-sum-exp
                s += post[i];
            }
            mix = lmin - Math.log(s) / eta;
        }
        gap += Math.max(0, hedge - mix);
        double sum = 0;
        for (double v : post) {
            sum += v;
        }
        double alpha = 1.0 / (rounds + 2);
        for (int i = 0; i < k; i++) {
            logWeights[i] = Math.log((1 - alpha) * post[i] / sum + alpha / k);
        }
        rounds++;
    }
}
