package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.tools.bench.BenchEnvironment;
import dev.tandem.tools.bench.PeerComparison;
import dev.tandem.tools.bench.PyTorchPeer;
import dev.tandem.tools.bench.TrainingStepBenchmark;
import dev.tandem.models.gearbox.GearboxCnn;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.train.ClassifierTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code tandem bench w3}: gearbox base network training, batch 32 of 4×2048, 10 classes, Adam 1e-3. */
@Command(name = "w3", mixinStandardHelpOptions = true,
        description = {"W3: gearbox base network (ALGORITHMS.md, 57,382 parameters) training samples/s",
                "(batch 32 of 4x2048, 10 classes, Adam 1e-3) on the best CPU backend and",
                "single-window inference latency (median ms), and the same on PyTorch in the",
                "same run when /usr/bin/python3 has torch."})
final class BenchW3Command implements Callable<Integer> {
    static final int CHANNELS = 4;
    static final int WINDOW = 2048;
    static final int CLASSES = 10;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Mixin
    IsaOption isa;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    /**
     * Untimed steps on both sides. 50, not 5: on the 2-core VM the JIT needs ~40 W3 steps (~1.5 s) to compile the hot
     * loops, and a median after 5 measured the compilation, not the training (PyTorch is steady after 1–2 steps).
     */
    @Option(names = "--warmup", defaultValue = "50",
            description = "Untimed steps first, on both sides (the JVM needs ~40 to compile). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--steps", defaultValue = "30", description = "Timed steps (median reported). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--infer-runs", defaultValue = "200",
            description = "Timed single-window inference runs (median reported). Default: ${DEFAULT-VALUE}.")
    int inferRuns;

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
        require(inferRuns >= 1, "--infer-runs", inferRuns, ">= 1");
        require(threads >= 1, "--threads", threads, ">= 1");
        Integer child = isa.relaunchIfNeeded();
        if (child != null) {
            return child;
        }
        Backends.Choice choice = backend.choose();
        Map<String, Object> environment = BenchEnvironment.describe(choice.backend(), isa.restriction());
        System.err.println("W3 on " + choice.backend().name() + " (" + choice.reason() + "): " + warmup + " warm-up + "
                + steps + " timed steps of batch " + batch + ", then " + inferRuns + " single-window inferences");
        ClassifierTrainer trainer = new ClassifierTrainer(
                GearboxCnn.build(choice.backend(), DType.FLOAT32, CHANNELS, WINDOW, CLASSES, 1), new Adam(1e-3));
        TrainingStepBenchmark.Result t = TrainingStepBenchmark.run(trainer, batch, warmup, steps, 7, profile);
        double inferMs = inferenceMedianMs(trainer, inferRuns, 11);
        System.out.printf(Locale.ROOT, "tandem  %-6s median %.2f ms/step  %.1f samples/s  %.1f GFLOP/s  inference %.3f ms%n",
                choice.backend().name(), t.medianStepMs(), t.samplesPerSecond(), t.gflops(), inferMs);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", "W3");
        out.put("backend", choice.backend().name());
        out.put("batch", batch);
        out.put("steps", steps);
        out.put("params", trainer.model().parameterCount());
        out.put("tandem_infer_ms", round3(inferMs));
        PeerComparison.putTraining(out, t, profile, 3);
        if (!noPytorch) {
            JsonNode r = PeerComparison.runPeer("w3_gearbox_cnn.py", PyTorchPeer.onDeviceOf(choice.backend(), List.of("--batch", "" + batch, "--warmup",
                    "" + warmup, "--steps", "" + steps, "--threads", "" + threads, "--infer-runs", "" + inferRuns)), t, out);
            if (r != null) {
                double pyInfer = r.path("infer_ms").asDouble(Double.NaN);
                out.put("pytorch_params", r.path("params").asLong());
                out.put("pytorch_infer_ms", round3(pyInfer));
                if (Double.isFinite(pyInfer) && inferMs > 0) {
                    out.put("infer_pytorch_over_tandem", Math.round(pyInfer / inferMs * 1000) / 1000.0);
                }
                System.out.printf(Locale.ROOT, "pytorch inference %.3f ms; inference latency pytorch/tandem = %.3f%n",
                        pyInfer, pyInfer / inferMs);
            }
        }
        BenchEnvironment.put(out, environment, choice.backend());
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }

    /**
     * Median wall time of one inference-mode prediction of a single window (host window in, class probabilities
     * out: the copy in, the forward pass with batch-norm running statistics and the softmax), after 10 untimed ones.
     */
    static double inferenceMedianMs(ClassifierTrainer trainer, int runs, long seed) {
        int per = Arrays.stream(trainer.model().inputShape()).reduce(1, (a, b) -> a * b);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[per];
        for (int i = 0; i < per; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < 10; i++) {
            trainer.predictProbabilities(x, 1);
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            trainer.predictProbabilities(x, 1);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return (runs % 2 == 1 ? nanos[runs / 2] : (nanos[runs / 2 - 1] + nanos[runs / 2]) / 2.0) / 1e6;
    }

    private static double round3(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : Double.NaN;
    }
}
