package dev.tandem.models.gearbox;

/**
 * What {@link FleetLearner#observe} says about one window, before learning from it.
 *
 * @param probabilities   the base network's softmax vector (inference mode)
 * @param chosen          index of the decided class
 * @param decision        name of the decided class
 * @param stage           {@code base} (argmax) or the decision stage's algorithm when it decided
 * @param modelVersion    optimizer steps of the base network that made the prediction
 * @param modelHash       hash of that network's weights
 * @param decisionVersion the decision stage's version, null without a stage
 * @param baseFrozen      whether the base network was frozen, null without a stage
 */
public record FleetPrediction(float[] probabilities, int chosen, String decision, String stage, long modelVersion,
                              String modelHash, Long decisionVersion, Boolean baseFrozen) {
    public float confidence() {
        return probabilities[chosen];
    }
}
