package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.tools.bench.BenchEnvironment;
import dev.tandem.tools.bench.PeerComparison;
import dev.tandem.tools.bench.PyTorchPeer;
import dev.tandem.tools.bench.TrainingStepBenchmark;
import dev.tandem.learning.nets.ToolkitCnn;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.train.ClassifierTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem bench w1}: toolkit CNN training, batch 64 of 1×28×28, SGD momentum 0.9, lr 0.01. */
@Command(name = "w1", mixinStandardHelpOptions = true,
        description = {"W1: toolkit CNN training samples/s (batch 64 of 1x28x28, SGD momentum 0.9, lr 0.01) on the best",
                "CPU backend, and the same workload on PyTorch in the same run when /usr/bin/python3 has torch."})
final class BenchW1Command implements Callable<Integer> {

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Mixin
    IsaOption isa;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--steps", defaultValue = "30", description = "Timed steps (median reported). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for PyTorch (torch.set_num_threads). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--no-pytorch", description = "Skip the PyTorch peer.")
    boolean noPytorch;

    @Option(names = "--profile", description = "Also time every layer's forward and backward pass.")
    boolean profile;

    @Override
    public Integer call() throws Exception {
        require(batch >= 1, "--batch", batch, ">= 1");
        require(warmup >= 0, "--warmup", warmup, ">= 0");
        require(steps >= 1, "--steps", steps, ">= 1");
        require(threads >= 1, "--threads", threads, ">= 1");
        Integer child = isa.relaunchIfNeeded();
        if (child != null) {
            return child;
        }
        Backends.Choice choice = backend.choose();
        Map<String, Object> environment = BenchEnvironment.describe(choice.backend(), isa.restriction());
        System.err.println("W1 on " + choice.backend().name() + " (" + choice.reason() + "): " + warmup + " warm-up + "
                + steps + " timed steps of batch " + batch);
        ClassifierTrainer trainer = new ClassifierTrainer(ToolkitCnn.build(choice.backend(), DType.FLOAT32, 1),
                new Sgd(0.01, 0.9));
        TrainingStepBenchmark.Result t = TrainingStepBenchmark.run(trainer, batch, warmup, steps, 7, profile);
        System.out.printf(Locale.ROOT, "tandem  %-6s median %.1f ms/step  %.1f samples/s  %.1f GFLOP/s%n",
                choice.backend().name(), t.medianStepMs(), t.samplesPerSecond(), t.gflops());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", "W1");
        out.put("backend", choice.backend().name());
        out.put("batch", batch);
        out.put("steps", steps);
        PeerComparison.putTraining(out, t, profile, 2);
        if (!noPytorch) {
            PeerComparison.runPeer("w1_toolkit_cnn.py", PyTorchPeer.onDeviceOf(choice.backend(), List.of("--batch", "" + batch, "--warmup", "" + warmup,
                    "--steps", "" + steps, "--threads", "" + threads)), t, out);
        }
        BenchEnvironment.put(out, environment, choice.backend());
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }
}
