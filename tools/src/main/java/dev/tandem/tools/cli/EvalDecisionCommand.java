package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.tools.eval.DecisionExperiment;
import dev.tandem.tools.eval.DecisionExperiment.Entry;
import dev.tandem.tools.eval.DecisionExperiment.Point;
import dev.tandem.tools.eval.GearboxEvaluation;
import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.decision.DecisionSettings;
import dev.tandem.learning.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem eval decision}: the softmax decision stage against the fully trained base network. */
@Command(name = "decision", mixinStandardHelpOptions = true,
        description = {"The softmax decision stage (ALGORITHMS.md section 7): on one stream and seed,",
                "(a) the gearbox base network alone, trained until its holdout accuracy stops",
                "improving, against (b) the base network after a short training budget + an RBF",
                "SVM decision stage and (c) the same + an MLP decision stage. Reports holdout",
                "accuracy, gradient steps, training seconds and time_reduction. Takes the",
                "options of eval gearbox. See docs/DECISION.md."})
final class EvalDecisionCommand implements Callable<Integer> {

    @Mixin
    GearboxEvalOptions options;

    @Option(names = "--patience", defaultValue = "3",
            description = "The full run stops after this many passes without a better holdout accuracy. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--short-epochs", defaultValue = "3",
            description = "Short training budgets tried: 1 .. this many passes. Default: ${DEFAULT-VALUE}.")
    int shortEpochs;

    @Option(names = "--decision-windows", defaultValue = "2000", paramLabel = "N",
            description = "Windows of the decision pass (0: one whole pass of the stream). Default: ${DEFAULT-VALUE} (the reservoir's size).")
    int decisionWindows;

    @Option(names = "--tolerance", defaultValue = "0.002",
            description = "Equal or better accuracy means >= full - this (0.002 = 0.2 points). Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--reservoir", defaultValue = "2000", description = "Pairs the decision stage keeps. Default: ${DEFAULT-VALUE}.")
    int reservoir;

    @Option(names = "--features", defaultValue = "probabilities", paramLabel = "F",
            description = "Decision-stage input: probabilities or log. Default: ${DEFAULT-VALUE}.")
    String features;

    @Option(names = "--svm-c", defaultValue = "10", description = "The SVM's C. Default: ${DEFAULT-VALUE}.")
    double svmC;

    @Option(names = "--svm-gamma", defaultValue = "0", description = "The RBF kernel's gamma (0: 1/classes). Default: ${DEFAULT-VALUE}.")
    double svmGamma;

    @Option(names = "--svm-retrain-every", defaultValue = "500", description = "New pairs between SVM trainings. Default: ${DEFAULT-VALUE}.")
    int svmRetrainEvery;

    @Option(names = "--mlp-hidden", defaultValue = "32", description = "Hidden units of the MLP. Default: ${DEFAULT-VALUE}.")
    int mlpHidden;

    @Option(names = "--mlp-lr", defaultValue = "0.01", description = "Adam learning rate of the MLP. Default: ${DEFAULT-VALUE}.")
    double mlpLr;

    @Option(names = "--mlp-batch", defaultValue = "32", description = "New pairs per MLP update and its minibatch. Default: ${DEFAULT-VALUE}.")
    int mlpBatch;

    @Option(names = "--mlp-steps", defaultValue = "4", description = "Adam steps per MLP update. Default: ${DEFAULT-VALUE}.")
    int mlpSteps;

    @Mixin
    BackendOption backend;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        GearboxEvaluation.Settings settings = options.settings(null, false);
        require(DecisionSettings.FEATURES.contains(features), "--features", features, String.join(", ", DecisionSettings.FEATURES));
        DecisionSettings decision = option(() -> new DecisionSettings("svm", reservoir, features, options.seed, svmC,
                svmGamma, svmRetrainEvery, mlpHidden, mlpLr, mlpBatch, mlpSteps));
        DecisionExperiment.Settings es = new DecisionExperiment.Settings(patience, shortEpochs, decisionWindows,
                tolerance, decision);
        VibrationManifest manifest = options.manifest();
        Backends.Choice choice = backend.choose();
        System.err.println("decision eval: " + manifest.path() + "; backend " + choice.backend().name() + " ("
                + choice.reason() + "); decision stages on java");
        GearboxEvaluation.Listener base = GearboxEvalOptions.progress();
        DecisionExperiment.Result r = new DecisionExperiment(new GearboxEvaluation(settings, choice.backend()), es,
                Backends.choose("java").backend()).run(manifest, new DecisionExperiment.Listener() {
                    @Override
                    public void loaded(int recordings, long samples, int channels, List<String> classes, double s) {
                        base.loaded(recordings, samples, channels, classes, s);
                    }

                    @Override
                    public void progress(String phase, int done, int total, double loss, double accuracy) {
                        base.progress(phase, done, total, loss, accuracy);
                    }

                    @Override
                    public void point(Point p) {
                        System.out.printf(Locale.ROOT, "%-6s after %2d pass(es): holdout %.4f, %d steps, CPU %.1f s base + %.1f s decision (wall %.1f + %.1f)%n",
                                p.stage(), p.epochs(), p.holdoutAccuracy(), p.gradientSteps(), p.baseCpuSeconds(),
                                p.decisionCpuSeconds(), p.baseSeconds(), p.decisionSeconds());
                        if (!Double.isNaN(p.oracleAccuracy())) {
                            System.out.printf(Locale.ROOT, "       oracle: an SVM fitted to these softmax vectors of the holdout itself (%d-fold CV, best of 32 settings): %.4f%n",
                                    DecisionExperiment.ORACLE_FOLDS, p.oracleAccuracy());
                        }
                    }
                });
        System.out.printf(Locale.ROOT, "%nequal or better accuracy: holdout >= %.4f (full %.4f - %.4f)%n",
                r.threshold(), r.full().point().holdoutAccuracy(), tolerance);
        System.out.println(r.oracleReachesAt() == null
                ? "no short budget's oracle reaches it: their softmax vectors do not carry the full network's accuracy"
                : "the oracle first reaches it after " + r.oracleReachesAt() + " base pass(es)");
        System.out.println("| run | base passes | holdout accuracy | base gradient steps | training CPU s (base + decision) | wall s | time_reduction (CPU) | wall |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        row("(a) full", r.full());
        row("(b) short + SVM", r.svm());
        row("(c) short + MLP", r.mlp());
        row("short, argmax", r.argmax());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("full", entry(r.full(), false));
        out.put("svm", entry(r.svm(), true));
        out.put("mlp", entry(r.mlp(), true));
        out.put("argmax_short", entry(r.argmax(), true));
        out.put("best_time_reduction", r.bestTimeReduction() == null ? null : GearboxEvalOptions.round6(r.bestTimeReduction()));
        out.put("threshold", GearboxEvalOptions.round6(r.threshold()));
        out.put("oracle_reaches_threshold_at_epochs", r.oracleReachesAt());
        out.put("tolerance", tolerance);
        out.put("seconds_are", "process CPU seconds of training (base + decision); wall_seconds: wall clock");
        out.put("classes", r.classes().size());
        out.put("windows", r.windows());
        out.put("holdout_windows", r.holdoutWindows());
        out.put("window", settings.window());
        out.put("snr_db", settings.snrDb());
        out.put("seed", settings.seed());
        out.put("backend", choice.backend().name());
        List<Map<String, Object>> curve = new ArrayList<>();
        for (Point p : r.fullCurve()) {
            curve.add(point(p));
        }
        for (Point p : r.shortCurve()) {
            curve.add(point(p));
        }
        out.put("curve", curve);
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }

    private static void row(String name, Entry e) {
        Point p = e.point();
        String none = name.startsWith("(a)") ? "" : "not reached";
        System.out.printf(Locale.ROOT, "| %s | %d | %.4f | %d | %.1f (%.1f + %.1f) | %.1f | %s | %s |%n", name,
                p.epochs(), p.holdoutAccuracy(), p.gradientSteps(), p.cpuSeconds(), p.baseCpuSeconds(),
                p.decisionCpuSeconds(), p.seconds(),
                e.timeReduction() == null ? none : String.format(Locale.ROOT, "%.3f", e.timeReduction()),
                e.wallTimeReduction() == null ? none : String.format(Locale.ROOT, "%.3f", e.wallTimeReduction()));
    }

    private static Map<String, Object> entry(Entry e, boolean withReduction) {
        Map<String, Object> m = point(e.point());
        if (withReduction) {
            m.put("time_reduction", e.timeReduction() == null ? null : GearboxEvalOptions.round6(e.timeReduction()));
            m.put("wall_time_reduction", e.wallTimeReduction() == null ? null
                    : GearboxEvalOptions.round6(e.wallTimeReduction()));
        }
        return m;
    }

    private static Map<String, Object> point(Point p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", p.stage());
        m.put("epochs", p.epochs());
        m.put("holdout_accuracy", GearboxEvalOptions.round6(p.holdoutAccuracy()));
        m.put("gradient_steps", p.gradientSteps());
        m.put("seconds", Math.round(p.cpuSeconds() * 100) / 100.0);
        m.put("base_seconds", Math.round(p.baseCpuSeconds() * 100) / 100.0);
        m.put("decision_seconds", Math.round(p.decisionCpuSeconds() * 100) / 100.0);
        m.put("wall_seconds", Math.round(p.seconds() * 100) / 100.0);
        if (!Double.isNaN(p.decisionPrequentialAccuracy())) {
            m.put("decision_prequential_accuracy", GearboxEvalOptions.round6(p.decisionPrequentialAccuracy()));
            m.put("decision_version", p.decisionVersion());
        }
        if (!Double.isNaN(p.oracleAccuracy())) {
            m.put("oracle_accuracy", GearboxEvalOptions.round6(p.oracleAccuracy()));
        }
        return m;
    }

    /** Runs a settings constructor, turning its key-named message into one naming the option. */
    private static DecisionSettings option(java.util.function.Supplier<DecisionSettings> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage()
                    .replace("gearbox.decision.reservoir", "--reservoir")
                    .replace("gearbox.decision.svm.c", "--svm-c")
                    .replace("gearbox.decision.svm.gamma", "--svm-gamma")
                    .replace("gearbox.decision.svm.retrain-every", "--svm-retrain-every")
                    .replace("gearbox.decision.mlp.hidden", "--mlp-hidden")
                    .replace("gearbox.decision.mlp.learning-rate", "--mlp-lr")
                    .replace("gearbox.decision.mlp.batch", "--mlp-batch")
                    .replace("gearbox.decision.mlp.steps", "--mlp-steps");
            throw new IllegalArgumentException(m, e);
        }
    }
}
