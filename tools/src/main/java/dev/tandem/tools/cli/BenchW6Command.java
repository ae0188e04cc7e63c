package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.learning.tensor.Backends;
import dev.tandem.tools.bench.W6Benchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem bench w6}: the AL stages on a mini cluster against backprop in one operator. */
@Command(name = "w6", mixinStandardHelpOptions = true,
        description = {"W6: an L-component Associated Learning model (the gearbox network cut into L components of",
                "similar cost, or an MLP 784 - L x width - 10) trained by L stage operators",
                "on a Flink mini cluster, with 1 and 2 task slots, against its parameter-matched backprop network",
                "trained in one operator and the AL model trained synchronously in one operator, on the same",
                "stream of seeded synthetic mini-batches, in one run. Reports examples/s, al_over_bp, per-stage busy",
                "time, the balance (slowest / mean stage) and the slot model's predictions for 1-16 slots",
                "(docs/ASSOCIATED-LEARNING.md)."})
final class BenchW6Command implements Callable<Integer> {
    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Option(names = "--model", defaultValue = "gearbox",
            description = "gearbox (the gearbox network on 4 x 2048 windows, blocks cut by measured cost) or mlp. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--components", defaultValue = "4", description = "L. Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--width", defaultValue = "1024", description = "MLP: hidden width of every component. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--label-width", defaultValue = "128", description = "AL label width. Default: ${DEFAULT-VALUE}.")
    int labelWidth;

    @Option(names = "--batch", defaultValue = "32", description = "Examples per mini-batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--batches", defaultValue = "200", description = "Measured mini-batches per run. Default: ${DEFAULT-VALUE}.")
    int batches;

    @Option(names = "--warmup", defaultValue = "30", description = "Mini-batches before the measured ones (JIT). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--buffer-timeout-ms", defaultValue = "0",
            description = "Flink network buffer timeout (0: flush after every record). Default: ${DEFAULT-VALUE}.")
    long bufferTimeout;

    @Option(names = "--segment-kib", defaultValue = "4096",
            description = {"Flink network buffer (memory segment) size in KiB, 64 of them; above the largest record",
                    "between stages (1 MiB: 32 windows of 4 x 2048 floats) a channel holds several batches and no record",
                    "spans buffers (measured on a quiet machine: al_over_bp 1.63 against 1.22 with Flink's 32 KiB).",
                    "0: Flink's default (32 KiB). Default: ${DEFAULT-VALUE}."})
    int segmentKiB;

    @Option(names = "--intra-op-threads", defaultValue = "1",
            description = {"Threads one nd4j call may use (tandem.nd4j.threads). 1 keeps every operator on one core, so",
                    "the comparison measures pipeline parallelism; 0 leaves the backend's default. Default: ${DEFAULT-VALUE}."})
    int intraOpThreads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        require(model.equals("gearbox") || model.equals("mlp"), "--model", model, "gearbox, mlp");
        require(depth >= 1 && depth <= (model.equals("gearbox") ? 6 : 16), "--components", depth,
                model.equals("gearbox") ? "1..6" : "1..16");
        require(width >= 1, "--width", width, ">= 1");
        require(labelWidth >= 1, "--label-width", labelWidth, ">= 1");
        require(batch >= 1, "--batch", batch, ">= 1");
        require(batches >= 1, "--batches", batches, ">= 1");
        require(warmup >= 0, "--warmup", warmup, ">= 0");
        require(bufferTimeout >= 0, "--buffer-timeout-ms", bufferTimeout, ">= 0");
        require(segmentKiB >= 0 && segmentKiB <= 65536, "--segment-kib", segmentKiB, "0..65536");
        require(intraOpThreads >= 0, "--intra-op-threads", intraOpThreads, ">= 0");
        if (intraOpThreads > 0) {
            System.setProperty("tandem.nd4j.threads", Integer.toString(intraOpThreads)); // before the backend loads
        }
        Backends.Choice choice = backend.choose();
        W6Benchmark b = new W6Benchmark(new W6Benchmark.Settings(model, depth, width, labelWidth, batch, batches, warmup,
                choice.backend().name(), seed, bufferTimeout, segmentKiB), System.err);
        Map<String, Object> out = b.run();
        out.put("intra_op_threads", intraOpThreads);
        System.out.println("W6 " + out.get("model") + ", batch " + batch + ", backend " + out.get("backend") + ": backprop "
                + out.get("bp_examples_per_s") + " examples/s, AL in one operator " + out.get("al_one_operator_examples_per_s"));
        for (Object m : (java.util.List<?>) out.get("measured")) {
            System.out.println("  " + m);
        }
        System.out.println("  predicted al_over_bp by slots: " + out.get("predicted_al_over_bp_by_slots"));
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }
}
