package dev.tandem.tools.eval;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.tools.eval.GearboxEvaluation.Prepared;
import dev.tandem.tools.eval.GearboxEvaluation.Training;
import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.gearbox.Windowing.Window;
import dev.tandem.models.decision.DecisionSettings;
import dev.tandem.models.decision.DecisionStage;
import dev.tandem.learning.tensor.Backend;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The decision-stage experiment (ALGORITHMS.md §7, issue 5): for one stream and seed ({@link GearboxEvaluation}'s
 * stream order, holdout split, noise and windows),
 * <ol>
 *   <li><b>full</b>: the base network alone, trained pass by pass (the cosine schedule of {@code eval gearbox} over
 *       {@code epochs} passes), its holdout accuracy (argmax) measured after every pass, until it has not improved
 *       for {@code patience} passes. Its cost is the training time up to the first pass of its best holdout accuracy
 *       (the passes spent detecting the plateau are not charged).</li>
 *   <li><b>short budgets</b> S = 1 … {@code shortEpochs}: a fresh base network (same seed, same stream) trained for
 *       S passes (the same schedule compressed into S passes), then frozen. A <b>decision pass</b> follows: the
 *       frozen network predicts the stream's windows of one more pass ({@code decisionWindows} of them, in an
 *       interleaving of their own, jittered), and each decision stage, SVM and MLP, predicts every window's softmax
 *       vector first and then learns from the labelled pair (its reservoir and schedule as in the streaming job);
 *       at the end of the pass the SVM trains once more on its reservoir. Holdout accuracy = decide(p(x)) on the
 *       holdout windows. Cost = the S passes' training time + the decision pass's (the forward passes that produce
 *       the softmax vectors + that stage's learning).</li>
 * </ol>
 * For every short budget, the {@link OracleDecision} of its softmax vectors (a decision stage fitted to the holdout's
 * own pairs by cross-validation, hyper-parameters chosen on them) estimates what any decision stage could reach
 * there; it is never timed and never chosen as an entry.
 * Before (a), one untimed warm-up pass of a throwaway network keeps JIT compilation out of every timing.
 * The point chosen for a decision stage is the <b>first</b> S whose holdout accuracy is ≥ full − {@code tolerance}
 * ("equal or better accuracy"); its {@code time_reduction} = 1 − seconds(S) / seconds(full), in process CPU
 * seconds (the development machine is shared: CPU time is what the runs themselves used; the wall-clock figure is
 * reported as {@code wall_time_reduction}). When no S reaches it, the entry is the S of the best accuracy and its
 * time reductions are null. Holdout scoring is never timed.
 */
public final class DecisionExperiment {
    /** Folds of the {@link OracleDecision}'s cross-validation. */
    public static final int ORACLE_FOLDS = 5;
    private static final long DECISION_SALT = 0xDEC1_5104_57A6_E001L;

    public record Settings(int patience, int shortEpochs, int decisionWindows, double tolerance,
                           DecisionSettings decision) {
        public Settings {
            require(patience >= 1, "--patience", patience, ">= 1");
            require(shortEpochs >= 1, "--short-epochs", shortEpochs, ">= 1");
            require(decisionWindows >= 0, "--decision-windows", decisionWindows, ">= 0 (0: one whole pass)");
            require(tolerance >= 0 && tolerance < 1, "--tolerance", tolerance, "[0, 1)");
        }
    }

    /**
     * One point of a curve: after {@code epochs} base passes, what it scores and costs, in process CPU seconds
     * (robust on a shared machine) and wall-clock seconds, each split into base training and decision stage.
     */
    public record Point(String stage, int epochs, double holdoutAccuracy, long gradientSteps, double baseCpuSeconds,
                        double decisionCpuSeconds, double baseSeconds, double decisionSeconds,
                        double decisionPrequentialAccuracy, long decisionVersion, double oracleAccuracy) {
        public double cpuSeconds() {
            return baseCpuSeconds + decisionCpuSeconds;
        }

        public double seconds() {
            return baseSeconds + decisionSeconds;
        }
    }

    /**
     * An entry of the table: the chosen point and, for decision stages, the time reduction in CPU seconds and in
     * wall-clock seconds (null: the accuracy was not reached).
     */
    public record Entry(Point point, Double timeReduction, Double wallTimeReduction) {
    }

    public record Result(Entry full, Entry svm, Entry mlp, Entry argmax, List<Point> fullCurve, List<Point> shortCurve,
                         List<String> classes, int windows, int holdoutWindows, double threshold) {
        /**
         * The fewest base passes whose {@link OracleDecision} reaches the threshold; null when no short budget's
         * oracle does.
         */
        public Integer oracleReachesAt() {
            for (Point p : shortCurve) {
                if (p.stage().equals("argmax") && p.oracleAccuracy() >= threshold - 1e-12) {
                    return p.epochs();
                }
            }
            return null;
        }

        public Double bestTimeReduction() {
            Double best = null;
            for (Entry e : new Entry[] {svm, mlp}) {
                if (e.timeReduction() != null && (best == null || e.timeReduction() > best)) {
                    best = e.timeReduction();
                }
            }
            return best;
        }
    }

    /** Progress: base passes come through the evaluation's listener; points as they are measured. */
    public interface Listener extends GearboxEvaluation.Listener {
        default void point(Point p) {
        }
    }

    private final GearboxEvaluation evaluation;
    private final Settings settings;
    private final Backend decisionBackend;

    /** decisionBackend: where the MLP decision stage computes (tiny products: the Java reference is quickest). */
    public DecisionExperiment(GearboxEvaluation evaluation, Settings settings, Backend decisionBackend) {
        this.evaluation = evaluation;
        this.settings = settings;
        this.decisionBackend = decisionBackend;
    }

    public Result run(VibrationManifest manifest, Listener listener) throws IOException {
        Prepared prep = evaluation.prepare(manifest, listener);
        int k = prep.classes().size();
        int[] holdoutLabels = new int[prep.sourceHoldout().size()];

        // Warm-up: one untimed pass of a throwaway network, so that JIT compilation is charged to no run.
        evaluation.train(prep, evaluation.newFleet(prep.classes()), 1, listener, (pass, steps, seconds, cpu) -> false);

        // (a) the base network alone, until its holdout accuracy stops improving.
        List<Point> fullCurve = new ArrayList<>();
        GearboxEvaluation.Fleet full = evaluation.newFleet(prep.classes());
        int[] best = {0};
        evaluation.train(prep, full, evaluation.settings().epochs(), listener, (pass, steps, seconds, cpu) -> {
            float[] p = evaluation.probabilities(full, prep.sourceHoldout(), holdoutLabels);
            Point point = new Point("full", pass, accuracy(p, holdoutLabels, k, null), steps, cpu, 0, seconds, 0,
                    Double.NaN, 0, Double.NaN);
            fullCurve.add(point);
            listener.point(point);
            if (point.holdoutAccuracy() > fullCurve.get(best[0]).holdoutAccuracy()) {
                best[0] = fullCurve.size() - 1;
            }
            return fullCurve.size() - 1 - best[0] < settings.patience();
        });
        Point fullBest = fullCurve.get(best[0]);
        double threshold = fullBest.holdoutAccuracy() - settings.tolerance();

        // (b), (c): short budgets + decision stages.
        List<Point> shortCurve = new ArrayList<>();
        for (int s = 1; s <= settings.shortEpochs(); s++) {
            GearboxEvaluation.Fleet base = evaluation.newFleet(prep.classes());
            Training t = evaluation.train(prep, base, s, listener, (pass, steps, seconds, cpu) -> true);
            float[] holdout = evaluation.probabilities(base, prep.sourceHoldout(), holdoutLabels);
            Point argmax = new Point("argmax", s, accuracy(holdout, holdoutLabels, k, null), t.steps(),
                    t.cpuSeconds(), 0, t.seconds(), 0, Double.NaN, 0, OracleDecision.of(holdout, holdoutLabels, k));
            shortCurve.add(argmax);
            listener.point(argmax);

            long forwardStart = System.nanoTime();
            double forwardCpuStart = GearboxEvaluation.processCpuSeconds();
            List<Window> stream = evaluation.streamOrder(prep, DECISION_SALT + s);
            if (settings.decisionWindows() > 0 && settings.decisionWindows() < stream.size()) {
                stream = stream.subList(0, settings.decisionWindows());
            }
            int[] labels = new int[stream.size()];
            float[] p = evaluation.probabilities(base, stream, labels);
            double forwardSeconds = (System.nanoTime() - forwardStart) / 1e9;
            double forwardCpu = GearboxEvaluation.processCpuSeconds() - forwardCpuStart;
            for (String algorithm : List.of("svm", "mlp")) {
                long learnStart = System.nanoTime();
                double learnCpuStart = GearboxEvaluation.processCpuSeconds();
                DecisionStage stage = DecisionStage.create(settings.decision().withAlgorithm(algorithm), k,
                        decisionBackend);
                double prequential = prequential(stage, p, labels, k);
                if (algorithm.equals("svm")) {
                    stage.trainNow();
                }
                double learnSeconds = (System.nanoTime() - learnStart) / 1e9;
                double learnCpu = GearboxEvaluation.processCpuSeconds() - learnCpuStart;
                Point point = new Point(algorithm, s, accuracy(holdout, holdoutLabels, k, stage), t.steps(),
                        t.cpuSeconds(), forwardCpu + learnCpu, t.seconds(), forwardSeconds + learnSeconds,
                        prequential, stage.version(), Double.NaN);
                shortCurve.add(point);
                listener.point(point);
            }
        }
        Entry fullEntry = new Entry(fullBest, null, null);
        return new Result(fullEntry, choose("svm", shortCurve, threshold, fullBest),
                choose("mlp", shortCurve, threshold, fullBest), choose("argmax", shortCurve, threshold, fullBest),
                fullCurve, shortCurve, prep.classes(), prep.streamSize(), holdoutLabels.length, threshold);
    }

    /** Prequential pass of a stage over (p, y) pairs: decide first, then learn; returns the share decided right. */
    static double prequential(DecisionStage stage, float[] p, int[] labels, int k) {
        long right = 0;
        long scored = 0;
        float[] row = new float[k];
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(p, i * k, row, 0, k);
            int d = stage.decide(row);
            if (d < 0) {
                d = argmax(row);
            }
            if (labels[i] >= 0) {
                scored++;
                right += d == labels[i] ? 1 : 0;
                stage.learn(row, labels[i]);
            }
        }
        return scored == 0 ? Double.NaN : (double) right / scored;
    }

    /** Accuracy of decide(p) (argmax when stage is null or not ready) over the labelled rows. */
    static double accuracy(float[] p, int[] labels, int k, DecisionStage stage) {
        long right = 0;
        long scored = 0;
        float[] row = new float[k];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                continue;
            }
            System.arraycopy(p, i * k, row, 0, k);
            int d = stage == null ? -1 : stage.decide(row);
            if (d < 0) {
                d = argmax(row);
            }
            scored++;
            right += d == labels[i] ? 1 : 0;
        }
        return scored == 0 ? Double.NaN : (double) right / scored;
    }

    static int argmax(float[] row) {
        int b = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[b]) {
                b = j;
            }
        }
        return b;
    }

    private static Entry choose(String stage, List<Point> curve, double threshold, Point full) {
        Point bestPoint = null;
        for (Point p : curve) {
            if (!p.stage().equals(stage)) {
                continue;
            }
            if (p.holdoutAccuracy() >= threshold - 1e-12) {
                return new Entry(p, 1 - p.cpuSeconds() / full.cpuSeconds(), 1 - p.seconds() / full.seconds());
            }
            if (bestPoint == null || p.holdoutAccuracy() > bestPoint.holdoutAccuracy()) {
                bestPoint = p;
            }
        }
        return new Entry(bestPoint, null, null);
    }
}
