package dev.tandem.models.decision;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * How a softmax decision stage (ALGORITHMS.md §7) learns: the algorithm ({@code svm}: an RBF-kernel SVM by LIBSVM,
 * retrained periodically; {@code mlp}: a small multilayer perceptron of Tandem's own layers, trained incrementally;
 * {@code none}: no decision stage, argmax of the base network), the reservoir of recent labelled (softmax vector,
 * label) pairs it learns from, the input features, and each algorithm's settings. Messages name the configuration
 * keys ({@code gearbox.decision.*}).
 *
 * @param algorithm      none, svm or mlp
 * @param reservoir      pairs kept (bounded; a new pair replaces a seeded random one when full, so recent pairs
 *                       dominate)
 * @param features       probabilities (the softmax vector as it is) or log (log of each probability, floored at
 *                       1e-6)
 * @param seed           seed of the reservoir's replacements, the MLP's weights and minibatches, LIBSVM's random
 * @param svmC           the SVM's C
 * @param svmGamma       the RBF kernel's gamma; 0 means 1 / number of classes (LIBSVM's default 1 / features)
 * @param svmRetrainEvery new pairs between two SVM trainings (earlier ones at 16, 32, 64, … pairs)
 * @param mlpHidden      hidden units of the MLP (one ReLU layer)
 * @param mlpLearningRate Adam learning rate of the MLP
 * @param mlpBatch       new pairs per MLP update, and the minibatch size of its steps
 * @param mlpSteps       Adam steps per update, each on a seeded random minibatch of the reservoir
 */
public record DecisionSettings(String algorithm, int reservoir, String features, long seed, double svmC,
        double svmGamma, int svmRetrainEvery, int mlpHidden, double mlpLearningRate, int mlpBatch, int mlpSteps)
        implements Serializable {
    public static final List<String> ALGORITHMS = List.of("none", "svm", "mlp");
    public static final List<String> FEATURES = List.of("probabilities", "log");

    public DecisionSettings {
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        features = features.toLowerCase(Locale.ROOT);
        require(ALGORITHMS.contains(algorithm), "gearbox.decision.algorithm", algorithm, String.join(", ", ALGORITHMS));
        require(reservoir >= 2, "gearbox.decision.reservoir", reservoir, ">= 2");
        require(FEATURES.contains(features), "gearbox.decision.features", features, String.join(", ", FEATURES));
        require(svmC > 0 && Double.isFinite(svmC), "gearbox.decision.svm.c", svmC, "> 0");
        require(svmGamma >= 0 && Double.isFinite(svmGamma), "gearbox.decision.svm.gamma", svmGamma, ">= 0 (0: 1/classes)");
        require(svmRetrainEvery >= 1, "gearbox.decision.svm.retrain-every", svmRetrainEvery, ">= 1");
        require(mlpHidden >= 1, "gearbox.decision.mlp.hidden", mlpHidden, ">= 1");
        require(mlpLearningRate > 0 && Double.isFinite(mlpLearningRate), "gearbox.decision.mlp.learning-rate",
                mlpLearningRate, "> 0");
        require(mlpBatch >= 1, "gearbox.decision.mlp.batch", mlpBatch, ">= 1");
        require(mlpSteps >= 1, "gearbox.decision.mlp.steps", mlpSteps, ">= 1");
    }

    /** The defaults of {@code config/defaults.properties} with another algorithm. */
    public static DecisionSettings defaults(String algorithm) {
        return new DecisionSettings(algorithm, 2000, "probabilities", 1, 10, 0, 500, 32, 0.01, 32, 4);
    }

    public DecisionSettings withAlgorithm(String other) {
        return new DecisionSettings(other, reservoir, features, seed, svmC, svmGamma, svmRetrainEvery, mlpHidden,
                mlpLearningRate, mlpBatch, mlpSteps);
    }

    public boolean enabled() {
        return !algorithm.equals("none");
    }

    private static void require(boolean ok, String key, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException("invalid value '" + value + "' for " + key + "; allowed: " + allowed);
        }
    }
}
