package dev.tandem.tools.bench;

import dev.tandem.learning.al.DecoderLoss;
import dev.tandem.learning.tensor.DType;
import dev.tandem.operators.al.AlMlpArchitecture;
import dev.tandem.operators.al.AlOptimizerSettings;
import dev.tandem.operators.al.AlPipeline;
import dev.tandem.operators.al.AlSignal;
import dev.tandem.operators.al.AlStageSettings;
import dev.tandem.operators.al.StageTimeline;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * W6 (WORKLOADS.md): one L-component AL MLP trained by L stage operators on a Flink mini cluster against the same
 * model's parameter-matched backprop network trained in one operator, on the same stream of mini-batches, in one
 * run; plus the AL model trained synchronously in one operator (what the pipeline buys over running the same
 * components one after another). Throughput is examples over the span from the first to the last busy interval
 * of the run's operators (deployment excluded). Per-stage busy time comes from {@link StageTimeline}.
 *
 * <p>The slot model (docs/ASSOCIATED-LEARNING.md): with k slots, each on a core of its own, stage l runs in slot
 * group ⌊l·k/L⌋ ({@link AlPipeline#slotGroup}); a group's stages share one core, so a batch leaves the pipeline every
 * max_g Σ_{l∈g} t_l seconds, t_l the measured CPU time per batch of stage l (thread CPU time, not wall time,
 * which on a shared machine includes waiting for a core); t_bp likewise. Predicted AL examples/s =
 * B / max_g Σ t_l, and the predicted ratio over one-operator backprop t_bp / max_g Σ t_l. Past k = L one key's
 * pipeline cannot use more slots; more slots then serve more keys (fleets), each its own pipeline.
 */
public final class W6Benchmark {
    public record Settings(int depth, int width, int labelWidth, int batch, int batches, int warmupBatches,
                           String backend, long seed, long bufferTimeoutMs) {
    }

    private final Settings s;
    private final PrintStream err;

    public W6Benchmark(Settings settings, PrintStream err) {
        this.s = settings;
        this.err = err;
    }

    AlStageSettings stageSettings(String profile) {
        int[] hidden = new int[s.depth()];
        java.util.Arrays.fill(hidden, s.width());
        return new AlStageSettings(new AlMlpArchitecture(hidden, 10, s.labelWidth(), DecoderLoss.SOFTMAX_CROSS_ENTROPY),
                s.depth(), s.backend(), DType.FLOAT32, s.seed(), AlOptimizerSettings.defaults(s.seed()), 0, profile);
    }

    /** What one run measured: examples/s over the busy span, and each operator's busy seconds. */
    record Run(String name, int slots, double examplesPerSecond, double spanSeconds, double[] busySeconds,
               double[] cpuSeconds, double wallSeconds) {
    }

    public Map<String, Object> run() throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int slots : new int[] {1, 2}) {
            runs.add(runAl(slots));
        }
        Run bp = runOne("backprop", true);
        Run sync = runOne("al-one-operator", false);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", "MLP 784-" + s.width() + "x" + s.depth() + "-10, label width " + s.labelWidth());
        out.put("L", s.depth());
        out.put("batch", s.batch());
        out.put("batches", s.batches());
        out.put("warmup_batches", s.warmupBatches());
        out.put("backend", s.backend());
        out.put("bp_examples_per_s", r1(bp.examplesPerSecond()));
        out.put("al_one_operator_examples_per_s", r1(sync.examplesPerSecond()));
        double tBp = bp.cpuSeconds()[0] / s.batches();
        int cores = Runtime.getRuntime().availableProcessors();
        List<Map<String, Object>> measured = new ArrayList<>();
        double[] stageCpu = null;
        for (Run r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("slots", r.slots());
            m.put("al_examples_per_s", r1(r.examplesPerSecond()));
            m.put("al_over_bp", r3(r.examplesPerSecond() / bp.examplesPerSecond()));
            m.put("al_over_al_one_operator", r3(r.examplesPerSecond() / sync.examplesPerSecond()));
            double[] wall = perBatch(r.busySeconds());
            double[] cpu = perBatch(r.cpuSeconds());
            m.put("stage_busy_ms_per_batch", ms(wall));
            m.put("stage_cpu_ms_per_batch", ms(cpu));
            m.put("balance", r3(max(cpu) / (sum(cpu) / cpu.length)));
            double span = r.spanSeconds() / s.batches();
            m.put("pipeline_ms_per_batch", r3(1000 * span));
            // what the slowest stage's CPU time does not explain: waiting for a core, for buffers, (de)serialisation
            m.put("unexplained_ms_per_batch", r3(1000 * (span - max(cpu))));
            // the check of the slot model on this machine: a mini cluster's slots are threads of one JVM, so its
            // stages share the machine's cores whatever the slot count: T = max(slowest stage, total / cores)
            m.put("predicted_al_over_bp", r3(tBp / Math.max(max(cpu), sum(cpu) / cores)));
            measured.add(m);
            stageCpu = cpu;
        }
        out.put("measured", measured);
        Map<String, Object> predicted = new LinkedHashMap<>();
        for (int k : new int[] {1, 2, 4, 8, 16}) {
            predicted.put(Integer.toString(k), r3(tBp / groupMax(stageCpu, k)));
        }
        out.put("predicted_al_over_bp_by_slots", predicted);
        out.put("bp_cpu_ms_per_batch", r3(1000 * tBp));
        out.put("bp_busy_ms_per_batch", r3(1000 * bp.busySeconds()[0] / s.batches()));
        out.put("al_one_operator_cpu_ms_per_batch", r3(1000 * sync.cpuSeconds()[0] / s.batches()));
        out.put("cores", cores);
        return out;
    }

    private double[] perBatch(double[] seconds) {
        double[] out = new double[seconds.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = seconds[i] / s.batches();
        }
        return out;
    }

    private static List<Object> ms(double[] v) {
        List<Object> out = new ArrayList<>();
        for (double x : v) {
            out.add(r3(1000 * x));
        }
        return out;
    }

    private static double max(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static double sum(double[] v) {
        double m = 0;
        for (double x : v) {
            m += x;
        }
        return m;
    }

    /** The pipeline's time per batch with k slots by the slot model: the largest sum of a slot group's stages. */
    static double groupMax(double[] t, int k) {
        int depth = t.length;
        double[] g = new double[depth];
        for (int l = 0; l < depth; l++) {
            g[Math.min(k, depth) <= 1 ? 0 : l * Math.min(k, depth) / depth] += t[l];
        }
        double max = 0;
        for (double v : g) {
            max = Math.max(max, v);
        }
        return max;
    }

    private StreamExecutionEnvironment env(int slots) {
        Configuration c = new Configuration();
        c.set(RestOptions.BIND_PORT, "0");
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, c);
        env.setBufferTimeout(s.bufferTimeoutMs());
        return env;
    }

    /** The TRAIN stream: warm-up batches, then the measured ones; seeded synthetic digits-like inputs. */
    private DataStream<AlSignal> signals(StreamExecutionEnvironment env) {
        int batch = s.batch();
        long seed = s.seed();
        return env.fromSource(new NumberSequenceSource(0, s.warmupBatches() + s.batches() - 1),
                        WatermarkStrategy.noWatermarks(), "w6-batches")
                .map(i -> batch(i, batch, seed)).returns(TypeInformation.of(AlSignal.class)).name("w6-generate");
    }

    static AlSignal batch(long i, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 7919 + i);
        float[] x = new float[n * 784];
        float[] y = new float[n * 10];
        for (int e = 0; e < n; e++) {
            int k = r.nextInt(10);
            y[e * 10 + k] = 1;
            for (int j = 0; j < 784; j++) {
                x[e * 784 + j] = (float) Math.max(0, r.nextGaussian() * 0.5 + (j % 10 == k ? 0.5 : 0));
            }
        }
        return AlSignal.train("w6", i, new int[] {784}, x, y, n);
    }

    private Run runAl(int slots) throws Exception {
        String profile = "w6-al-" + slots + "-" + System.nanoTime();
        AlStageSettings st = stageSettings(profile);
        StreamExecutionEnvironment env = env(slots);
        AlPipeline.Outputs o = AlPipeline.wire(signals(env), st, slots, "w6-");
        o.predictions().sinkTo(new DiscardingSink<>()).name("w6-discard");
        long t0 = System.nanoTime();
        env.execute("w6-al-" + slots + "-slots");
        double wall = (System.nanoTime() - t0) / 1e9;
        Run r = measure("al", slots, profile, s.depth(), wall);
        err.printf(Locale.ROOT, "w6: AL %d stages, %d slot(s): %.1f examples/s%n", s.depth(), slots, r.examplesPerSecond());
        return r;
    }

    private Run runOne(String name, boolean backprop) throws Exception {
        String profile = "w6-" + name + "-" + System.nanoTime();
        AlStageSettings st = stageSettings(profile);
        StreamExecutionEnvironment env = env(1);
        signals(env).keyBy(a -> a.key, Types.STRING)
                .process(backprop ? new W6Operators.Backprop(st, 1e-3) : new W6Operators.Synchronous(st))
                .returns(TypeInformation.of(AlSignal.class)).name(name)
                .sinkTo(new DiscardingSink<>()).name("w6-discard");
        long t0 = System.nanoTime();
        env.execute("w6-" + name);
        double wall = (System.nanoTime() - t0) / 1e9;
        Run r = measure(name, 1, profile, 1, wall);
        err.printf(Locale.ROOT, "w6: %s in one operator: %.1f examples/s%n", name, r.examplesPerSecond());
        return r;
    }

    /** Busy intervals of the measured batches only (signals after the warm-up ones). */
    private Run measure(String name, int slots, String profile, int operators, double wall) {
        List<StageTimeline.Interval> all = StageTimeline.of(profile);
        StageTimeline.clear(profile);
        // each operator's intervals are in processing order; drop each operator's first warm-up ones
        List<List<StageTimeline.Interval>> per = new ArrayList<>();
        for (int l = 0; l < operators; l++) {
            per.add(new ArrayList<>());
        }
        for (StageTimeline.Interval i : all) {
            per.get(i.stage()).add(i);
        }
        double[] busy = new double[operators];
        double[] cpu = new double[operators];
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int l = 0; l < operators; l++) {
            List<StageTimeline.Interval> list = per.get(l);
            if (list.size() != s.warmupBatches() + s.batches()) {
                throw new IllegalStateException(name + " operator " + l + " processed " + list.size() + " batches, expected "
                        + (s.warmupBatches() + s.batches()));
            }
            for (StageTimeline.Interval i : list.subList(s.warmupBatches(), list.size())) {
                busy[l] += i.nanos() / 1e9;
                cpu[l] += i.cpuNanos() / 1e9;
            }
            // the span runs from the first measured batch entering operator 0 to the last leaving operator L-1
            if (l == 0) {
                first = list.get(s.warmupBatches()).start();
            }
            if (l == operators - 1) {
                last = list.get(list.size() - 1).end();
            }
        }
        double span = (last - first) / 1e9;
        return new Run(name, slots, s.batches() * (double) s.batch() / span, span, busy, cpu, wall);
    }

    private static double r1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double r3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
