package dev.tandem.tools.bench;

import dev.tandem.learning.nn.Layer;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.train.ClassifierTrainer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/** Times classifier training steps on random data: warm-up, then each step individually; reports the median. */
public final class TrainingStepBenchmark {

    /**
     * cpuMsPerStep: CPU time of the whole process (all threads, native ones included) per timed step: on a shared
     * machine a steadier figure than the wall time, and what an A/B of two kernels compares there.
     */
    public record Result(double medianStepMs, double samplesPerSecond, double gflops, double cpuMsPerStep,
                         Map<String, Double> layerMs) {
    }

    private TrainingStepBenchmark() {
    }

    public static Result run(ClassifierTrainer trainer, int batch, int warmup, int steps, long seed, boolean profile) {
        Sequential model = trainer.model();
        int per = Arrays.stream(model.inputShape()).reduce(1, (a, b) -> a * b);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[batch * per];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) {
            y[i] = rng.nextInt(trainer.classes());
        }
        for (int i = 0; i < warmup; i++) {
            trainer.trainBatch(x, y, batch);
        }
        long[] nanos = new long[steps];
        long cpu0 = ForecasterStepBenchmark.processCpuNanos();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            trainer.trainBatch(x, y, batch);
            nanos[i] = System.nanoTime() - t0;
            System.err.printf(java.util.Locale.ROOT, "tandem step %d/%d: %.3f ms%n", i + 1, steps, nanos[i] / 1e6);
        }
        double cpuMs = (ForecasterStepBenchmark.processCpuNanos() - cpu0) / 1e6 / steps;
        Arrays.sort(nanos);
        double medianMs = (steps % 2 == 1 ? nanos[steps / 2] : (nanos[steps / 2 - 1] + nanos[steps / 2]) / 2.0) / 1e6;
        Map<String, Double> layerMs = new LinkedHashMap<>();
        if (profile) {
            int profiled = Math.max(3, steps / 3);
            long[][] acc = new long[model.layers().size()][2];
            model.setProfiler((layer, backward, ns) -> acc[layer][backward ? 1 : 0] += ns);
            long stepNanos = 0;
            for (int i = 0; i < profiled; i++) {
                long t0 = System.nanoTime();
                trainer.trainBatch(x, y, batch);
                stepNanos += System.nanoTime() - t0;
            }
            model.setProfiler(null);
            long layerNanos = 0;
            for (int l = 0; l < acc.length; l++) {
                Layer layer = model.layers().get(l);
                String name = String.format(Locale.ROOT, "%02d %s", l, layer.spec().tag());
                layerMs.put(name + " forward", acc[l][0] / 1e6 / profiled);
                layerMs.put(name + " backward", acc[l][1] / 1e6 / profiled);
                layerNanos += acc[l][0] + acc[l][1];
            }
            // what the layers do not account for: loss, the numerical guard's checks and copy, the optimizer update
            layerMs.put("outside the layers (loss, guard, optimizer)", (stepNanos - layerNanos) / 1e6 / profiled);
        }
        double flopsPerStep = 3.0 * 2.0 * model.forwardMacsPerExample() * batch;
        return new Result(medianMs, batch / (medianMs / 1e3), flopsPerStep / (medianMs / 1e3) / 1e9,
                cpu0 < 0 ? Double.NaN : cpuMs, layerMs);
    }
}
