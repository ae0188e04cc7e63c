package dev.tandem.models.gearbox;

import dev.tandem.models.decision.DecisionSettings;

import java.io.Serializable;

/**
 * The fleet trainer's decision stage and its freeze policy (configuration {@code gearbox.decision.*}): which
 * decision stage learns next to the base network ({@link DecisionSettings}), and when the base network stops
 * training. With {@code freeze} on, the base network trains until the decision stage's prequential accuracy over
 * the last {@code window} labelled windows it decided reaches {@code freezeAt}; then it is frozen (it still predicts,
 * the decision stage keeps learning) until that accuracy falls below {@code unfreezeBelow} (drift), when it trains
 * again.
 */
public record DecisionPolicy(DecisionSettings decision, boolean freeze, int window, double freezeAt,
                             double unfreezeBelow) implements Serializable {
    /** No decision stage: argmax of the base network, which always trains. */
    public static final DecisionPolicy NONE = new DecisionPolicy(DecisionSettings.defaults("none"), false, 200, 0.98,
            0.9);

    public DecisionPolicy {
        if (window < 1) {
            throw new IllegalArgumentException("invalid value '" + window + "' for gearbox.decision.freeze.window; "
                    + "allowed: >= 1");
        }
        if (!(freezeAt >= 0 && freezeAt <= 1)) {
            throw new IllegalArgumentException("invalid value '" + freezeAt + "' for gearbox.decision.freeze.at; "
                    + "allowed: a number in [0, 1]");
        }
        if (!(unfreezeBelow >= 0 && unfreezeBelow <= freezeAt)) {
            throw new IllegalArgumentException("invalid value '" + unfreezeBelow
                    + "' for gearbox.decision.freeze.unfreeze-below; allowed: a number in [0, gearbox.decision.freeze.at ("
                    + freezeAt + ")]");
        }
    }

    public boolean enabled() {
        return decision.enabled();
    }
}
