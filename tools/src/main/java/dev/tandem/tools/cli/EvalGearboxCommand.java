package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.tools.eval.GearboxEvaluation;
import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.learning.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem eval gearbox}: offline prequential learning of the gearbox base network over a manifest folder. */
@Command(name = "gearbox", mixinStandardHelpOptions = true,
        description = {"Prequential learning of the gearbox base network (ALGORITHMS.md, WDCNN-like)",
                "over a canonical vibration data set (manifest.csv + channel CSVs), in stream",
                "order: machines and classes interleaved (seeded), every window predicted first,",
                "then learned from in mini-batches. The last 20%% of every recording is the",
                "holdout, never trained on. See docs/GEARBOX.md."})
final class EvalGearboxCommand implements Callable<Integer> {

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Mixin
    GearboxEvalOptions options;

    @Option(names = "--shift-to", paramLabel = "M",
            description = {"Learn from the other machines' labelled windows, then continue the stream with machine M's",
                    "windows unlabelled; report shift_accuracy on them."})
    String shiftTo;

    @Option(names = "--adapt", defaultValue = "batchnorm", paramLabel = "MODE",
            description = "What unlabelled shift windows adapt: batchnorm (running statistics, AdaBN-style) or none. Default: ${DEFAULT-VALUE}.")
    String adapt;

    @Option(names = "--shift-pairs",
            description = {"Instead of one run: for every ordered pair (A, B) of the selected machines, learn from A and",
                    "shift to B (as --shift-to B with --machines A,B); report each pair's shift accuracy."})
    boolean shiftPairs;

    @Option(names = "--initial-model", paramLabel = "FILE",
            description = "Start the fleet from this model file (tandem export-model) instead of fresh weights.")
    java.nio.file.Path initialModel;

    @Option(names = "--confusion", description = "Also print the confusion matrices (rows: true class) and add them to the JSON.")
    boolean confusion;

    @Override
    public Integer call() throws Exception {
        require(adapt.equals("batchnorm") || adapt.equals("none"), "--adapt", adapt, "batchnorm, none");
        if (shiftPairs) {
            require(shiftTo == null, "--shift-to", shiftTo, "absent with --shift-pairs (every pair is run)");
            return shiftPairs();
        }
        GearboxEvaluation.Settings settings = options.settings(shiftTo, adapt.equals("batchnorm"));
        int h = settings.hop();
        int window = settings.window();
        Double snr = settings.snrDb();
        VibrationManifest manifest = options.manifest();
        Backends.Choice choice = backend.choose();
        System.err.println("gearbox eval: " + manifest.path() + "; backend " + choice.backend().name() + " ("
                + choice.reason() + ")");
        dev.tandem.learning.io.ModelSeed seed = initialModel == null ? null : initialModel(initialModel);
        GearboxEvaluation.Result r = new GearboxEvaluation(settings, choice.backend()).withInitialModel(seed).run(manifest,
                GearboxEvalOptions.progress());
        System.out.printf(Locale.ROOT, "prequential accuracy %.4f over %d windows; holdout accuracy %.4f over %d windows%n",
                r.prequentialAccuracy(), r.windows(), r.holdoutAccuracy(), r.holdoutWindows());
        if (r.shiftAccuracy() != null) {
            System.out.printf(Locale.ROOT, "shift to %s: accuracy %.4f over %d unlabelled windows; its holdout %.4f over %d%n",
                    shiftTo, r.shiftAccuracy(), r.shiftWindows(), nan(r.shiftHoldoutAccuracy()), r.shiftHoldoutWindows());
        }
        if (confusion) {
            printConfusion("holdout", r.classes(), r.holdout());
            if (r.shift() != null) {
                printConfusion("shift (unlabelled stream of " + shiftTo + ")", r.classes(), r.shift());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prequential_accuracy", GearboxEvalOptions.round6(r.prequentialAccuracy()));
        out.put("holdout_accuracy", GearboxEvalOptions.round6(r.holdoutAccuracy()));
        if (shiftTo != null) {
            out.put("shift_accuracy", r.shiftAccuracy() == null ? null : GearboxEvalOptions.round6(r.shiftAccuracy()));
            out.put("shift_holdout_accuracy", r.shiftHoldoutAccuracy() == null ? null : GearboxEvalOptions.round6(r.shiftHoldoutAccuracy()));
            out.put("shift_windows", r.shiftWindows());
        }
        out.put("classes", r.classes().size());
        out.put("windows", r.windows());
        out.put("seconds", Math.round(r.seconds() * 10) / 10.0);
        out.put("holdout_windows", r.holdoutWindows());
        out.put("class_names", r.classes());
        out.put("channels", r.channels());
        out.put("sample_rate_hz", r.sampleRateHz());
        out.put("window", window);
        out.put("hop", h);
        out.put("epochs", r.epochs());
        out.put("snr_db", snr);
        out.put("params", r.params());
        out.put("backend", choice.backend().name());
        out.put("final_loss", GearboxEvalOptions.round6(r.finalLoss()));
        if (confusion) {
            out.put("holdout_confusion", r.holdout().counts());
            if (r.shift() != null) {
                out.put("shift_confusion", r.shift().counts());
            }
        }
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }

    /** Every ordered pair of machines: learn from one, shift to the other; a table and one JSON object. */
    private int shiftPairs() throws Exception {
        GearboxEvaluation.Settings base = options.settings(null, adapt.equals("batchnorm"));
        VibrationManifest manifest = options.manifest();
        List<String> machines = base.machines().isEmpty() ? manifest.machines() : base.machines();
        require(machines.size() >= 2, "--machines", String.join(",", machines), "two or more machines for --shift-pairs");
        Backends.Choice choice = backend.choose();
        System.err.println("gearbox eval, shift pairs: " + manifest.path() + "; backend " + choice.backend().name() + " ("
                + choice.reason() + ")");
        dev.tandem.learning.io.ModelSeed seed = initialModel == null ? null : initialModel(initialModel);
        List<Map<String, Object>> pairs = new ArrayList<>();
        double worst = Double.NaN;
        for (String from : machines) {
            for (String to : machines) {
                if (from.equals(to)) {
                    continue;
                }
                GearboxEvaluation.Settings s = base.withShift(List.of(from), to);
                GearboxEvaluation.Result r = new GearboxEvaluation(s, choice.backend()).withInitialModel(seed)
                        .run(manifest, new GearboxEvaluation.Listener() { });
                System.out.printf(Locale.ROOT, "%s -> %s: shift accuracy %.4f over %d windows (holdout after %.4f);"
                                + " source holdout %.4f%n", from, to, nan(r.shiftAccuracy()), r.shiftWindows(),
                        nan(r.shiftHoldoutAccuracy()), r.holdoutAccuracy());
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("from", from);
                p.put("to", to);
                p.put("shift_accuracy", GearboxEvalOptions.round6(nan(r.shiftAccuracy())));
                p.put("shift_holdout_accuracy", GearboxEvalOptions.round6(nan(r.shiftHoldoutAccuracy())));
                p.put("holdout_accuracy", GearboxEvalOptions.round6(r.holdoutAccuracy()));
                p.put("shift_windows", r.shiftWindows());
                p.put("seconds", Math.round(r.seconds() * 10) / 10.0);
                pairs.add(p);
                if (r.shiftAccuracy() != null && !(r.shiftAccuracy() >= worst)) {
                    worst = r.shiftAccuracy();
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shift_pairs", pairs);
        out.put("worst_shift_accuracy", GearboxEvalOptions.round6(worst));
        out.put("order_tracking", base.orderTracking());
        out.put("backend", choice.backend().name());
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }

    private static void printConfusion(String what, List<String> classes, GearboxEvaluation.Confusion c) {
        long[][] k = c.counts();
        int w = 7;
        for (String name : classes) {
            w = Math.max(w, name.length() + 1);
        }
        StringBuilder sb = new StringBuilder("confusion, " + what + " (rows: true class, columns: predicted)\n");
        sb.append(" ".repeat(w));
        for (int j = 0; j < classes.size(); j++) {
            sb.append(String.format(Locale.ROOT, "%" + w + "s", classes.get(j)));
        }
        sb.append('\n');
        for (int i = 0; i < classes.size(); i++) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", classes.get(i)));
            for (int j = 0; j < classes.size(); j++) {
                sb.append(String.format(Locale.ROOT, "%" + w + "d", k[i][j]));
            }
            sb.append('\n');
        }
        System.out.print(sb);
    }

    private static double nan(Double d) {
        return d == null ? Double.NaN : d;
    }

    /** The model file of --initial-model, or a clear error naming the option. */
    static dev.tandem.learning.io.ModelSeed initialModel(java.nio.file.Path file) {
        try {
            dev.tandem.learning.io.ModelSeed seed = dev.tandem.learning.io.ModelSeed.read(file);
            System.err.println("initial model " + file + ": model hash " + seed.hash() + ", optimizer step "
                    + seed.optimizerStep());
            return seed;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("invalid value " + file + " for --initial-model; allowed: a Tandem model "
                    + "file (" + e.getMessage() + ")", e);
        }
    }
}
