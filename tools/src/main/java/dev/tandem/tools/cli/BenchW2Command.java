package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.tools.bench.ForecasterStepBenchmark;
import dev.tandem.tools.bench.BenchEnvironment;
import dev.tandem.tools.bench.PeerComparison;
import dev.tandem.tools.bench.PyTorchPeer;
import dev.tandem.learning.nets.ConvLstmForecaster;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Sgd;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.learning.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tandem bench w2}: two-layer peephole ConvLSTM forecaster training (WORKLOADS.md W2) at batch 1 (the
 * streaming case) and batch 8, Tandem and the PyTorch peer {@code bench/pytorch/w2_convlstm.py} in one run.
 */
@Command(name = "w2", mixinStandardHelpOptions = true,
        description = {"W2: two-layer peephole ConvLSTM forecaster training (4 channels, 32x32, hidden 16 + 16,",
                "3x3 kernels, 8 frames -> the next frame, 1x1 output conv, MSE, SGD lr 0.01): ms per step and",
                "GFLOP/s at batch 1 and batch 8 on the best CPU backend, and the same on PyTorch in the same run",
                "when /usr/bin/python3 has torch; tandem_over_pytorch_b1/_b8 = PyTorch ms / Tandem ms."})
final class BenchW2Command implements Callable<Integer> {
    static final double LR = 0.01;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Mixin
    IsaOption isa;

    @Option(names = "--batches", split = ",", defaultValue = "1,8",
            description = "Batch sizes, comma-separated. Default: ${DEFAULT-VALUE}.")
    List<Integer> batches;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--steps", defaultValue = "30", description = "Timed steps (median reported). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for PyTorch (torch.set_num_threads). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--no-pytorch", description = "Skip the PyTorch peer.")
    boolean noPytorch;

    @Option(names = "--profile", description = "Also time the phases of the ConvLSTM step (convolutions, gates, copies).")
    boolean profile;

    @Override
    public Integer call() throws Exception {
        require(!batches.isEmpty(), "--batches", batches, "one or more sizes >= 1");
        for (int b : batches) {
            require(b >= 1 && b <= 4096, "--batches", b, "sizes 1..4096");
        }
        require(warmup >= 0, "--warmup", warmup, ">= 0");
        require(steps >= 1, "--steps", steps, ">= 1");
        require(threads >= 1, "--threads", threads, ">= 1");
        Integer child = isa.relaunchIfNeeded();
        if (child != null) {
            return child;
        }
        Backends.Choice choice = backend.choose();
        Map<String, Object> environment = BenchEnvironment.describe(choice.backend(), isa.restriction());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workload", "W2");
        out.put("backend", choice.backend().name());
        out.put("steps", steps);
        for (int batch : batches) {
            System.err.println("W2 on " + choice.backend().name() + " (" + choice.reason() + "): " + warmup
                    + " warm-up + " + steps + " timed steps of batch " + batch);
            Sequential model = ConvLstmForecaster.w2(choice.backend(), DType.FLOAT32, 1);
            out.put("params", model.parameterCount());
            ForecasterStepBenchmark.Result t = ForecasterStepBenchmark.run(model, new Sgd(LR, 0), batch, warmup, steps,
                    7, profile);
            String sfx = "_b" + batch;
            System.out.printf(Locale.ROOT, "batch %d: tandem  %-6s median %.2f ms/step  %.1f GFLOP/s  (CPU %.1f ms/step)%n",
                    batch, choice.backend().name(), t.medianStepMs(), t.gflops(), t.cpuMsPerStep());
            out.put("tandem_median_step_ms" + sfx, PeerComparison.round(t.medianStepMs(), 2));
            out.put("tandem_gflops" + sfx, PeerComparison.round(t.gflops(), 2));
            out.put("tandem_cpu_ms_per_step" + sfx, PeerComparison.round(t.cpuMsPerStep(), 2));
            if (profile) {
                Map<String, Double> rounded = new LinkedHashMap<>();
                t.phaseMs().forEach((k, v) -> {
                    System.out.printf(Locale.ROOT, "  %-26s %8.2f ms%n", k, v);
                    rounded.put(k, PeerComparison.round(v, 2));
                });
                out.put("tandem_phase_ms" + sfx, rounded);
            }
            if (!noPytorch) {
                System.err.println("PyTorch peer, batch " + batch + " ...");
                PyTorchPeer.Outcome py = PyTorchPeer.run("w2_convlstm.py", PyTorchPeer.onDeviceOf(choice.backend(), List.of("--batch", "" + batch, "--warmup",
                        "" + warmup, "--steps", "" + steps, "--threads", "" + threads)), 1800);
                if (!py.measured()) {
                    System.out.println("pytorch: not measured (" + py.unavailableReason() + ")");
                    out.put("pytorch", "not measured: " + py.unavailableReason());
                } else {
                    JsonNode r = py.result();
                    double ms = r.get("median_step_ms").asDouble();
                    double ratio = ms / t.medianStepMs();
                    System.out.printf(Locale.ROOT, "batch %d: pytorch %-6s median %.2f ms/step  %.1f GFLOP/s%n", batch,
                            r.path("torch_version").asText(), ms, r.path("gflops").asDouble());
                    System.out.printf(Locale.ROOT, "batch %d: tandem/pytorch = %.3f (pytorch ms / tandem ms)%n", batch,
                            ratio);
                    out.put("pytorch_version", r.path("torch_version").asText());
                    if (r.has("peer_environment")) {
                        out.put("pytorch_environment", r.get("peer_environment"));
                    }
                    out.put("pytorch_median_step_ms" + sfx, PeerComparison.round(ms, 2));
                    out.put("pytorch_gflops" + sfx, PeerComparison.round(r.path("gflops").asDouble(), 2));
                    out.put("tandem_over_pytorch" + sfx, PeerComparison.round(ratio, 3));
                }
            }
        }
        BenchEnvironment.put(out, environment, choice.backend());
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }
}
