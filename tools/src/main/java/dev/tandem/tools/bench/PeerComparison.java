package dev.tandem.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part every {@code bench} command shares: Tandem's training figures (and the optional per-layer profile)
 * into the result, then the PyTorch peer measured in the same run and the ratio {@code tandem_over_pytorch}.
 */
public final class PeerComparison {
    private PeerComparison() {
    }

    /** Puts tandem_median_step_ms, tandem_samples_per_s, tandem_gflops and, when profiled, tandem_layer_ms. */
    public static void putTraining(Map<String, Object> out, TrainingStepBenchmark.Result t, boolean profile,
                                   int profileDecimals) {
        out.put("tandem_median_step_ms", round(t.medianStepMs(), 2));
        out.put("tandem_samples_per_s", round(t.samplesPerSecond(), 2));
        out.put("tandem_gflops", round(t.gflops(), 2));
        out.put("tandem_cpu_ms_per_step", round(t.cpuMsPerStep(), 2));
        if (profile) {
            String format = "  %-24s %8." + profileDecimals + "f ms%n";
            t.layerMs().forEach((k, v) -> System.out.printf(Locale.ROOT, format, k, v));
            Map<String, Double> rounded = new LinkedHashMap<>();
            t.layerMs().forEach((k, v) -> rounded.put(k, round(v, profileDecimals)));
            out.put("tandem_layer_ms", rounded);
        }
    }

    /**
     * Runs {@code bench/pytorch/<script>} and puts pytorch_version, pytorch_median_step_ms, pytorch_samples_per_s
     * and tandem_over_pytorch, or {@code pytorch: "not measured: why"}. Returns the peer's JSON, or null.
     */
    public static JsonNode runPeer(String script, List<String> args, TrainingStepBenchmark.Result t,
                                   Map<String, Object> out) throws IOException, InterruptedException {
        System.err.println("PyTorch peer ...");
        PyTorchPeer.Outcome py = PyTorchPeer.run(script, args, 1800);
        if (!py.measured()) {
            System.out.println("pytorch: not measured (" + py.unavailableReason() + ")");
            out.put("pytorch", "not measured: " + py.unavailableReason());
            return null;
        }
        JsonNode r = py.result();
        double pys = r.get("samples_per_s").asDouble();
        System.out.printf(Locale.ROOT, "pytorch %-6s median %.1f ms/step  %.1f samples/s%n",
                r.path("torch_version").asText(), r.get("median_step_ms").asDouble(), pys);
        out.put("pytorch_version", r.path("torch_version").asText());
        out.put("pytorch_device", r.path("device").asText("cpu"));
        if (r.has("peer_environment")) {
            out.put("pytorch_environment", r.get("peer_environment"));
        }
        out.put("pytorch_median_step_ms", round(r.get("median_step_ms").asDouble(), 2));
        out.put("pytorch_samples_per_s", round(pys, 2));
        out.put("tandem_over_pytorch", round(t.samplesPerSecond() / pys, 3));
        System.out.printf(Locale.ROOT, "tandem/pytorch = %.3f (training samples/s)%n", t.samplesPerSecond() / pys);
        return r;
    }

    public static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
