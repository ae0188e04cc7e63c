package dev.tandem.tools.eval;

import dev.tandem.models.decision.DecisionSettings;
import dev.tandem.models.decision.DecisionStage;

import java.util.List;

/**
 * An oracle reference for decision stages: an SVM decision stage fitted to the <b>scored distribution itself</b> —
 * k-fold cross-validation over the holdout's own (p(x), y) pairs (trained on the other folds, scored on the fold),
 * the best over a grid of C, gamma and input features, i.e. with the holdout's labels and the hyper-parameters
 * chosen on it. It estimates how much a second classifier can get out of one base network's softmax vectors at all.
 * It is not a strict bound (it learns from 4/5 of the holdout, a streaming stage from its whole reservoir: they
 * differ by a window or two either way), but where it stays points below the full network's accuracy, the softmax
 * vectors of that short budget no longer carry the information, and no decision stage reaches it.
 */
final class OracleDecision {
    static final int FOLDS = DecisionExperiment.ORACLE_FOLDS;
    private static final double[] C = {1, 10, 100, 1000};
    private static final double[] GAMMA_TIMES_K = {0.1, 1, 10, 100};

    private OracleDecision() {
    }

    /** The best cross-validated accuracy over the grid; NaN when fewer than FOLDS pairs are labelled. */
    static double of(float[] p, int[] labels, int k) {
        int labelled = 0;
        for (int y : labels) {
            labelled += y >= 0 ? 1 : 0;
        }
        if (labelled < FOLDS) {
            return Double.NaN;
        }
        double best = 0;
        for (String features : List.of("probabilities", "log")) {
            for (double c : C) {
                for (double g : GAMMA_TIMES_K) {
                    // the schedule's trainings on the way (16, 32, … pairs) are replaced by the one at the end of the fold
                    DecisionSettings s = new DecisionSettings("svm", Math.max(2, labelled), features, 1, c, g / k,
                            Integer.MAX_VALUE, 1, 0.01, 1, 1);
                    best = Math.max(best, crossValidated(s, p, labels, k));
                }
            }
        }
        return best;
    }

    /** Accuracy of FOLDS-fold cross-validation (fold = labelled pair index mod FOLDS) of one setting. */
    static double crossValidated(DecisionSettings s, float[] p, int[] labels, int k) {
        long right = 0;
        long scored = 0;
        float[] row = new float[k];
        for (int fold = 0; fold < FOLDS; fold++) {
            DecisionStage stage = DecisionStage.create(s, k, null);
            int n = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] >= 0 && n++ % FOLDS != fold) {
                    System.arraycopy(p, i * k, row, 0, k);
                    stage.learn(row, labels[i]);
                }
            }
            stage.trainNow();
            n = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] >= 0 && n++ % FOLDS == fold) {
                    System.arraycopy(p, i * k, row, 0, k);
                    int d = stage.decide(row);
                    right += (d < 0 ? DecisionExperiment.argmax(row) : d) == labels[i] ? 1 : 0;
                    scored++;
                }
            }
        }
        return (double) right / scored;
    }
}
