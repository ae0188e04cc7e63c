package dev.tandem.tools.bench;

import dev.tandem.learning.loss.MeanSquaredError;
import dev.tandem.learning.nets.ConvLstmForecaster;
import dev.tandem.learning.nn.ConvLstm;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.Optimizer;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.train.SupervisedObjective;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times training steps of a ConvLSTM forecaster (forward, MSE, backpropagation through time, optimizer update) on
 * random frames in [0, 1): warm-up, then each step individually; reports the median. With profiling, a few more
 * steps are run with the {@link ConvLstm} phase timer on and reported per step.
 */
public final class ForecasterStepBenchmark {

    /**
     * cpuMsPerStep: CPU time of the whole process (all threads) per timed step — on a shared machine a steadier
     * figure of the work done than the wall time.
     */
    public record Result(double medianStepMs, double samplesPerSecond, double gflops, double cpuMsPerStep,
                         Map<String, Double> phaseMs) {
    }

    private ForecasterStepBenchmark() {
    }

    public static Result run(Sequential model, Optimizer optimizer, int batch, int warmup, int steps, long seed,
                             boolean profile) {
        Backend be = model.backend();
        int[] in = model.inputShape();
        int[] out = model.outputShape();
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = be.fromHost(uniform(rng, batch * Arrays.stream(in).reduce(1, (a, b) -> a * b)), prepend(batch, in));
        Tensor y = be.fromHost(uniform(rng, batch * Arrays.stream(out).reduce(1, (a, b) -> a * b)), prepend(batch, out));
        SupervisedObjective objective = new SupervisedObjective(model, new MeanSquaredError());
        OptimizerState state = optimizer.init(model.params());
        for (int i = 0; i < warmup; i++) {
            optimizer.step(objective.on(x, y, Pass.training(i)), model.params(), state);
        }
        long[] nanos = new long[steps];
        long cpu0 = processCpuNanos();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            optimizer.step(objective.on(x, y, Pass.training(i)), model.params(), state);
            nanos[i] = System.nanoTime() - t0;
            System.err.printf(java.util.Locale.ROOT, "tandem step %d/%d: %.3f ms%n", i + 1, steps, nanos[i] / 1e6);
        }
        double cpuMs = (processCpuNanos() - cpu0) / 1e6 / steps;
        Arrays.sort(nanos);
        double medianMs = (steps % 2 == 1 ? nanos[steps / 2] : (nanos[steps / 2 - 1] + nanos[steps / 2]) / 2.0) / 1e6;
        Map<String, Double> phases = new LinkedHashMap<>();
        if (profile) {
            ConvLstm layer = ConvLstmForecaster.layer(model);
            int profiled = Math.max(3, steps / 3);
            layer.setProfiling(true);
            long t0 = System.nanoTime();
            for (int i = 0; i < profiled; i++) {
                optimizer.step(objective.on(x, y, Pass.training(i)), model.params(), state);
            }
            double totalMs = (System.nanoTime() - t0) / 1e6 / profiled;
            double inLayer = 0;
            for (var e : layer.phaseMillis().entrySet()) {
                phases.put(e.getKey(), e.getValue() / profiled);
                inLayer += e.getValue() / profiled;
            }
            phases.put("loss + optimizer + rest", totalMs - inLayer);
            layer.setProfiling(false);
        }
        double flopsPerStep = 3.0 * 2.0 * model.forwardMacsPerExample() * batch;
        return new Result(medianMs, batch / (medianMs / 1e3), flopsPerStep / (medianMs / 1e3) / 1e9,
                cpuMs < 0 ? Double.NaN : cpuMs, phases);
    }

    /** CPU time of this process, or a negative number where the JVM does not tell. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static float[] uniform(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble();
        }
        return v;
    }

    private static int[] prepend(int first, int[] rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }
}
