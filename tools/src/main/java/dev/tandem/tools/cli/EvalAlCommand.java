package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.learning.al.AlArchitecture;
import dev.tandem.learning.al.AlNets;
import dev.tandem.learning.al.DecoderLoss;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.gearbox.Windowing;
import dev.tandem.models.mnist.MnistDigits;
import dev.tandem.operators.gearbox.AlGearboxArchitecture;
import dev.tandem.tools.eval.AlEvaluation;
import dev.tandem.tools.eval.GearboxEvaluation;
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

/**
 * {@code tandem eval al}: Associated Learning against the parameter-matched backprop model, the same budget of
 * examples, seeded: on the fixed MNIST split with an MLP and with the toolkit CNN, and on a gearbox manifest folder
 * ({@code --data}) with the gearbox network; accuracies side by side, wall times and {@code max_gap_points}.
 */
@Command(name = "al", mixinStandardHelpOptions = true,
        description = {"Associated Learning (docs/ASSOCIATED-LEARNING.md) against its parameter-matched backprop",
                "baseline: the same training examples in the same seeded order, the same epochs and mini-batch;",
                "held-out accuracy of both. Sets: mnist-mlp and mnist-cnn on the fixed MNIST split, gearbox on",
                "--data (the split of eval gearbox: the last 20%% of every recording held out)."})
final class EvalAlCommand implements Callable<Integer> {
    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Option(names = "--sets", split = ",", paramLabel = "SET",
            description = "Data sets among mnist-mlp, mnist-cnn, gearbox. Default: mnist-mlp,mnist-cnn, and gearbox with --data.")
    List<String> sets;

    @Option(names = "--mnist", paramLabel = "FILE", description = "MNIST file (default: test-data/mnist, found from the working directory).")
    Path mnist;

    @Option(names = "--train", defaultValue = "8000", description = "MNIST digits in the training part of the split (the rest is held out). Default: ${DEFAULT-VALUE}.")
    int train;

    @Option(names = "--split-seed", defaultValue = "42", description = "Seed of the fixed MNIST split. Default: ${DEFAULT-VALUE}.")
    long splitSeed;

    @Option(names = "--hidden", split = ",", defaultValue = "256,256,256", description = "MLP hidden widths, one AL component each. Default: ${DEFAULT-VALUE}.")
    int[] hidden;

    @Option(names = "--label-width", paramLabel = "N", description = "AL label width. Default: 128 (MLP, gearbox), 256 (CNN).")
    Integer labelWidth;

    @Option(names = "--first-decoder-loss", defaultValue = "cross-entropy", description = "Loss of h_1: cross-entropy or mse. Default: ${DEFAULT-VALUE}.")
    String firstLoss;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training examples (both models). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Mini-batch size (both models). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam rate of AL's f/b loss and of the baseline. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--ae-lr", paramLabel = "LR", description = "Adam rate of AL's g/h loss. Default: 2 x --lr.")
    Double aeLr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation and example order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--data", paramLabel = "DIR", description = "Gearbox manifest folder (manifest.csv + channel CSVs) for the gearbox set.")
    Path data;

    @Option(names = "--components", defaultValue = "6", description = "AL components of the gearbox network (1..6). Default: ${DEFAULT-VALUE}.")
    int components;

    @Option(names = "--window", defaultValue = "2048", description = "Gearbox window length in samples. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--hop", paramLabel = "N", description = "Samples between training windows. Default: window / 4.")
    Integer hop;

    @Option(names = "--holdout-hop", paramLabel = "N", description = "Samples between holdout windows. Default: the window length.")
    Integer holdoutHop;

    @Option(names = "--machines", paramLabel = "M", split = ",", description = "Only these machine ids of the manifest. Default: all.")
    List<String> machines;

    @Option(names = "--snr", paramLabel = "DB", description = "Seeded white noise at this SNR (dB) on every gearbox window.")
    Double snr;

    @Option(names = "--normalise", defaultValue = "window", paramLabel = "MODE", description = "window (every channel to mean 0, sd 1) or none. Default: ${DEFAULT-VALUE}.")
    String normalise;

    @Override
    public Integer call() throws Exception {
        List<String> chosen = sets != null ? sets : data != null ? List.of("mnist-mlp", "mnist-cnn", "gearbox")
                : List.of("mnist-mlp", "mnist-cnn");
        for (String s : chosen) {
            require(List.of("mnist-mlp", "mnist-cnn", "gearbox").contains(s), "--sets", s, "mnist-mlp, mnist-cnn, gearbox");
        }
        require(!chosen.contains("gearbox") || data != null, "--sets", "gearbox", "gearbox only with --data DIR");
        require(firstLoss.equals("cross-entropy") || firstLoss.equals("mse"), "--first-decoder-loss", firstLoss,
                "cross-entropy, mse");
        require(train >= 1 && train < 10_000, "--train", train, "1..9999");
        require(normalise.equals("window") || normalise.equals("none"), "--normalise", normalise, "window, none");
        DecoderLoss loss = firstLoss.equals("mse") ? DecoderLoss.MSE : DecoderLoss.SOFTMAX_CROSS_ENTROPY;
        AlEvaluation.Settings settings = new AlEvaluation.Settings(epochs, batch, lr, aeLr != null ? aeLr : 2 * lr, seed);
        Backends.Choice choice = backend.choose();
        System.err.println("eval al: backend " + choice.backend().name() + " (" + choice.reason() + ")");
        AlEvaluation eval = new AlEvaluation(settings, choice.backend());
        AlEvaluation.Listener listener = (model, e, n, l, s) -> System.err.printf(Locale.ROOT,
                "  %s epoch %d/%d loss %.4f (%.0f s)%n", model, e, n, l, s);
        List<AlEvaluation.Result> results = new ArrayList<>();
        MnistDigits digits = null;
        for (String set : chosen) {
            AlEvaluation.Result r;
            if (set.startsWith("mnist")) {
                if (digits == null) {
                    digits = MnistDigits.load(mnist != null ? mnist : MnistDigits.locate());
                }
                MnistDigits.Split split = digits.split(splitSeed, train);
                boolean cnn = set.equals("mnist-cnn");
                int width = labelWidth != null ? labelWidth : cnn ? AlNets.LABEL_WIDTH_CNN : AlNets.LABEL_WIDTH_ICLR;
                AlNets.Options o = AlNets.Options.defaults(width).withFirstDecoderLoss(loss);
                AlArchitecture arch = cnn ? AlNets.toolkitCnn(10, o) : AlNets.mlp(new int[] {784}, hidden, 10, o);
                System.err.println(set + ": " + arch.depth() + " components, " + split.train().length + " / "
                        + split.test().length + " digits, " + epochs + " epochs");
                r = eval.run(set, arch, digits(digits, split.train()), digits(digits, split.test()), listener);
            } else {
                r = gearbox(eval, loss, listener);
            }
            System.out.printf(Locale.ROOT, "%s: AL %.2f%% (%,d parameters, %.1f s)  backprop %.2f%% (%,d, %.1f s)  gap %.2f points%n",
                    r.set(), 100 * r.alAccuracy(), r.alParameters(), r.alSeconds(), 100 * r.bpAccuracy(),
                    r.bpParameters(), r.bpSeconds(), r.gapPoints());
            results.add(r);
        }
        double maxGap = results.stream().mapToDouble(AlEvaluation.Result::gapPoints).max().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "max_gap_points %.2f (backprop minus AL, worst set)%n", maxGap);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (AlEvaluation.Result r : results) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("set", r.set());
                m.put("al_accuracy", round(r.alAccuracy()));
                m.put("bp_accuracy", round(r.bpAccuracy()));
                m.put("gap_points", round(r.gapPoints()));
                m.put("al_params", r.alParameters());
                m.put("bp_params", r.bpParameters());
                m.put("al_seconds", Math.round(r.alSeconds() * 10) / 10.0);
                m.put("bp_seconds", Math.round(r.bpSeconds() * 10) / 10.0);
                m.put("train_examples", r.trainExamples());
                m.put("test_examples", r.testExamples());
                m.put("baseline", r.baseline());
                rows.add(m);
            }
            out.put("sets", rows);
            out.put("max_gap_points", round(maxGap));
            out.put("epochs", epochs);
            out.put("batch", batch);
            out.put("lr", lr);
            out.put("ae_lr", settings.autoencoderLr());
            out.put("first_decoder_loss", firstLoss);
            out.put("seed", seed);
            out.put("backend", choice.backend().name());
            JsonOutput.print(System.out, out);
        }
        return 0;
    }

    private static AlEvaluation.Examples digits(MnistDigits d, int[] indices) {
        return new AlEvaluation.Examples() {
            @Override
            public int size() {
                return indices.length;
            }

            @Override
            public void fill(int i, float[] dst, int offset) {
                float[] img = d.image(indices[i]);
                System.arraycopy(img, 0, dst, offset, img.length);
            }

            @Override
            public int label(int i) {
                return d.label(indices[i]);
            }
        };
    }

    private AlEvaluation.Result gearbox(AlEvaluation eval, DecoderLoss loss, AlEvaluation.Listener listener)
            throws Exception {
        require(window >= 1, "--window", window, ">= 1");
        int h = hop != null ? hop : Math.max(1, window / 4);
        GearboxEvaluation.Settings gs = new GearboxEvaluation.Settings(window, h, holdoutHop != null ? holdoutHop : window,
                machines == null ? List.of() : machines, snr, null, epochs, batch, lr, seed, normalise.equals("window"),
                false, false);
        GearboxEvaluation g = new GearboxEvaluation(gs, backend.choose().backend());
        GearboxEvaluation.Prepared prep = g.prepare(VibrationManifest.read(data), GearboxEvalOptions.progress());
        int channels = g.channels();
        List<Windowing.Window> stream = labelled(g, g.streamOrder(prep, 1), channels);
        List<Windowing.Window> holdout = labelled(g, prep.sourceHoldout(), channels);
        int width = labelWidth != null ? labelWidth : AlNets.LABEL_WIDTH_ICLR;
        AlArchitecture arch = new AlGearboxArchitecture(prep.classes().size(), components, width, loss, 0)
                .build(new int[] {channels, window});
        System.err.println("gearbox: " + arch.depth() + " components, " + stream.size() + " / " + holdout.size()
                + " windows, classes " + prep.classes());
        boolean norm = normalise.equals("window");
        return eval.run("gearbox", arch, windows(g, stream, channels, norm), windows(g, holdout, channels, norm), listener);
    }

    private List<Windowing.Window> labelled(GearboxEvaluation g, List<Windowing.Window> ws, int channels) {
        float[] x = new float[channels * window];
        int[] y = new int[1];
        List<Windowing.Window> out = new ArrayList<>();
        for (int i = 0; i < ws.size(); i++) {
            g.cut(ws, i, 1, x, y);
            if (y[0] >= 0) {
                out.add(ws.get(i));
            }
        }
        return out;
    }

    private AlEvaluation.Examples windows(GearboxEvaluation g, List<Windowing.Window> ws, int channels, boolean norm) {
        int per = channels * window;
        return new AlEvaluation.Examples() {
            final float[] x = new float[per];
            final int[] y = new int[1];

            @Override
            public int size() {
                return ws.size();
            }

            @Override
            public void fill(int i, float[] dst, int offset) {
                g.cut(ws, i, 1, x, y);
                if (norm) {
                    Windowing.normalise(x, 0, channels, window);
                }
                System.arraycopy(x, 0, dst, offset, per);
            }

            @Override
            public int label(int i) {
                g.cut(ws, i, 1, x, y);
                return y[0];
            }
        };
    }

    private static Object round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
    }
}
