package dev.tandem.job.cli;

import static dev.tandem.job.OptionCheck.require;

import dev.tandem.job.eval.GearboxEvaluation;
import dev.tandem.learning.data.VibrationManifest;
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

    @Option(names = "--data", paramLabel = "DIR", required = true,
            description = "Folder with manifest.csv (or the manifest file itself).")
    Path data;

    @Option(names = "--window", defaultValue = "2048", description = "Window length in samples. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--hop", paramLabel = "N",
            description = "Samples between the starts of consecutive training windows. Default: window / 4.")
    Integer hop;

    @Option(names = "--holdout-hop", paramLabel = "N",
            description = "Samples between holdout windows. Default: the window length (no overlap).")
    Integer holdoutHop;

    @Option(names = "--machines", paramLabel = "M", split = ",",
            description = "Only these machine ids of the manifest. Default: all.")
    List<String> machines;

    @Option(names = "--snr", paramLabel = "DB",
            description = "Add seeded white Gaussian noise at this signal-to-noise ratio (dB) to every window.")
    Double snr;

    @Option(names = "--shift-to", paramLabel = "M",
            description = {"Learn from the other machines' labelled windows, then continue the stream with machine M's",
                    "windows unlabelled; report shift_accuracy on them."})
    String shiftTo;

    @Option(names = "--adapt", defaultValue = "batchnorm", paramLabel = "MODE",
            description = "What unlabelled shift windows adapt: batchnorm (running statistics, AdaBN-style) or none. Default: ${DEFAULT-VALUE}.")
    String adapt;

    @Option(names = "--normalise", defaultValue = "window", paramLabel = "MODE",
            description = "window (every channel of every window to mean 0, std 1) or none. Default: ${DEFAULT-VALUE}.")
    String normalise;

    @Option(names = "--no-jitter", description = "Passes after the first reuse the first pass's window starts (default: moved by a random offset < hop).")
    boolean noJitter;

    @Option(names = "--epochs", defaultValue = "10",
            description = "Passes over the training windows; the first is the prequential one. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--confusion", description = "Also print the confusion matrices (rows: true class) and add them to the JSON.")
    boolean confusion;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation, stream order and noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        require(java.nio.file.Files.exists(data), "--data", data, "an existing folder with " + VibrationManifest.FILE_NAME);
        require(window >= 1, "--window", window, ">= 1");
        int h = hop != null ? hop : Math.max(1, window / 4);
        int hh = holdoutHop != null ? holdoutHop : window;
        require(adapt.equals("batchnorm") || adapt.equals("none"), "--adapt", adapt, "batchnorm, none");
        require(normalise.equals("window") || normalise.equals("none"), "--normalise", normalise, "window, none");
        List<String> ms = new ArrayList<>();
        if (machines != null) {
            for (String m : machines) {
                if (!m.isBlank()) {
                    ms.add(m.trim());
                }
            }
            require(!ms.isEmpty(), "--machines", String.join(",", machines), "one or more machine ids");
        }
        GearboxEvaluation.Settings settings = new GearboxEvaluation.Settings(window, h, hh, ms, snr, shiftTo, epochs,
                batch, lr, seed, normalise.equals("window"), adapt.equals("batchnorm"), !noJitter);
        VibrationManifest manifest = VibrationManifest.read(data);
        Backends.Choice choice = backend.choose();
        System.err.println("gearbox eval: " + manifest.path() + "; backend " + choice.backend().name() + " ("
                + choice.reason() + ")");
        Progress[] bar = new Progress[1];
        String[] barPhase = {""};
        GearboxEvaluation.Result r = new GearboxEvaluation(settings, choice.backend()).run(manifest,
                new GearboxEvaluation.Listener() {
                    @Override
                    public void loaded(int recordings, long samples, int channels, List<String> classes, double seconds) {
                        System.err.printf(Locale.ROOT, "loaded %d recordings, %,d values, %d channels, %d classes %s in %.1f s%n",
                                recordings, samples, channels, classes.size(), classes, seconds);
                    }

                    @Override
                    public void progress(String phase, int done, int total, double loss, double accuracy) {
                        if (bar[0] == null || !barPhase[0].equals(phase)) {
                            bar[0] = new Progress(System.err, phase, total);
                            barPhase[0] = phase;
                        }
                        String detail = (Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "loss %.4f ", loss))
                                + (Double.isNaN(accuracy) ? "" : String.format(Locale.ROOT, "accuracy %.4f", accuracy));
                        bar[0].update(done, detail);
                    }

                    @Override
                    public void passEnd(int pass, int passes, double loss, double prequential, double seconds) {
                        System.out.printf(Locale.ROOT, "pass %d/%d loss %.4f%s (%.0fs)%n", pass, passes, loss,
                                pass == 1 ? String.format(Locale.ROOT, " prequential accuracy %.4f", prequential) : "",
                                seconds);
                    }
                });
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
        out.put("prequential_accuracy", round6(r.prequentialAccuracy()));
        out.put("holdout_accuracy", round6(r.holdoutAccuracy()));
        if (shiftTo != null) {
            out.put("shift_accuracy", r.shiftAccuracy() == null ? null : round6(r.shiftAccuracy()));
            out.put("shift_holdout_accuracy", r.shiftHoldoutAccuracy() == null ? null : round6(r.shiftHoldoutAccuracy()));
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
        out.put("final_loss", round6(r.finalLoss()));
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

    private static Object round6(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
    }
}
