package dev.tandem.tools.bench;

import dev.tandem.learning.al.DecoderLoss;
import dev.tandem.learning.tensor.DType;
import dev.tandem.operators.al.AlArchitectureFactory;
import dev.tandem.operators.al.AlMlpArchitecture;
import dev.tandem.operators.gearbox.AlGearboxArchitecture;
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
import org.apache.flink.configuration.MemorySize;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * W6 (WORKLOADS.md): one L-component AL model (the gearbox network cut into L components of similar cost, or an
 * MLP) trained by L stage operators on a Flink mini cluster against the same
 * model's parameter-matched backprop network trained in one operator, on the same stream of mini-batches, in one
 * run; plus the AL model trained synchronously in one operator (what the pipeline buys over running the same
 * components one after another). Throughput is examples over the span from the first to the last busy interval
 * of the run's operators (deployment excluded). Per-stage busy time comes from {@link StageTimeline}.
 *
 * <p>The slot model (docs/ASSOCIATED-LEARNING.md): with k slots, each on a core of its own, stage l runs in slot
 * group ⌊l·k/L⌋ ({@link AlPipeline#slotGroup}); a group's stages share one core, so a batch leaves the pipeline every
 * max_g Σ_{l∈g} t_l seconds, t_l the step time of component l measured alone (the one-operator AL run times every
 * component's step; in the pipeline, stages sharing cores take longer); t_bp backprop's step time.
 * Thread CPU time is reported but not used: libnd4j runs parts of an operation on its own OpenMP threads. Predicted AL examples/s =
 * B / max_g Σ t_l, and the predicted ratio over one-operator backprop t_bp / max_g Σ t_l. Past k = L one key's
 * pipeline cannot use more slots; more slots then serve more keys (fleets), each its own pipeline.
 */
public final class W6Benchmark {
    /**
     * @param model gearbox (the gearbox network on 4 × 2048 windows, its six blocks cut into L components balanced by
     *              measured cost, label width {@code labelWidth}) or mlp (784 → L hidden layers of {@code width})
     */
    public record Settings(String model, int depth, int width, int labelWidth, int batch, int batches, int warmupBatches,
                           String backend, long seed, long bufferTimeoutMs, int segmentKiB) {
    }

    static final int CHANNELS = 4;
    static final int WINDOW = 2048;
    static final int CLASSES = 10;

    private final Settings s;
    private final PrintStream err;

    public W6Benchmark(Settings settings, PrintStream err) {
        this.s = settings;
        this.err = err;
    }

    private int[] groups;

    AlStageSettings stageSettings(String profile) {
        AlArchitectureFactory arch;
        if (s.model().equals("gearbox")) {
            arch = new AlGearboxArchitecture(CLASSES, s.depth(), s.labelWidth(), DecoderLoss.SOFTMAX_CROSS_ENTROPY, 0,
                    groups);
        } else {
            int[] hidden = new int[s.depth()];
            java.util.Arrays.fill(hidden, s.width());
            arch = new AlMlpArchitecture(hidden, CLASSES, s.labelWidth(), DecoderLoss.SOFTMAX_CROSS_ENTROPY);
        }
        return new AlStageSettings(arch, s.depth(), s.backend(), DType.FLOAT32, s.seed(),
                AlOptimizerSettings.defaults(s.seed()), 0, profile);
    }

    int[] inputShape() {
        return s.model().equals("gearbox") ? new int[] {CHANNELS, WINDOW} : new int[] {784};
    }

    /**
     * The cut of the gearbox network's six blocks into L components of similar cost: each block's training step
     * timed as a component of its own (median of a few steps after warm-up), then the contiguous cut minimising the
     * largest group (exhaustive over the cuts of 6 blocks).
     */
    int[] balancedGroups() {
        AlArchitectureFactory six = new AlGearboxArchitecture(CLASSES, 6, s.labelWidth(), DecoderLoss.SOFTMAX_CROSS_ENTROPY, 0);
        dev.tandem.learning.tensor.Backend b = dev.tandem.learning.tensor.Backends.choose(s.backend()).backend();
        dev.tandem.learning.al.AlModel m = dev.tandem.learning.al.AlModel.create(six.build(inputShape()), b, DType.FLOAT32,
                s.seed(), AlOptimizerSettings.defaults(s.seed()).build());
        AlSignal x = batch(0, s.batch(), s.seed(), inputShape());
        double[] cost = new double[6];
        dev.tandem.learning.tensor.Tensor in = b.fromHost(x.s, dev.tandem.learning.tensor.Shapes.prepend(s.batch(), inputShape()));
        dev.tandem.learning.tensor.Tensor t = b.fromHost(x.t, s.batch(), CLASSES);
        int rounds = 7;
        double[][] times = new double[6][rounds];
        for (int r = 0; r < rounds; r++) {
            dev.tandem.learning.tensor.Tensor sv = in;
            dev.tandem.learning.tensor.Tensor tv = t;
            for (int l = 0; l < 6; l++) {
                long t0 = System.nanoTime();
                var step = m.component(l).trainStep(sv, tv);
                times[l][r] = (System.nanoTime() - t0) / 1e9;
                sv = step.s();
                tv = step.t();
            }
        }
        for (int l = 0; l < 6; l++) {
            java.util.Arrays.sort(times[l]);
            cost[l] = times[l][rounds / 2];
        }
        int[] best = AlGearboxArchitecture.balancedGroups(cost, s.depth());
        List<Object> ms = new ArrayList<>();
        for (double c : cost) {
            ms.add(r3(1000 * c));
        }
        blockMs = ms;
        return best;
    }

    private List<Object> blockMs;

    /** The cut as the gearbox job's {@code gearbox.al.blocks} value. */
    private String blocksKey() {
        StringBuilder b = new StringBuilder();
        for (int g : groups) {
            b.append(b.length() == 0 ? "" : ",").append(g);
        }
        return b.toString();
    }

    /** What one run measured: examples/s over the busy span, and each operator's busy seconds. */
    record Run(String name, int slots, double examplesPerSecond, double spanSeconds, double[] busySeconds,
               double[] cpuSeconds, double wallSeconds, double gcSeconds, double processCpuSeconds) {
    }

    public Map<String, Object> run() throws Exception {
        if (s.model().equals("gearbox")) {
            groups = balancedGroups();
            err.println("w6: gearbox block step times (ms) " + blockMs + " -> blocks per component "
                    + java.util.Arrays.toString(groups) + " (the job: gearbox.al.blocks=" + blocksKey() + ")");
        }
        List<Run> runs = new ArrayList<>();
        for (int slots : new int[] {1, 2}) {
            runs.add(runAl(slots));
        }
        Run bp = runOne("backprop", true);
        Run sync = runOne("al-one-operator", false);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", s.model().equals("gearbox")
                ? "gearbox network " + CHANNELS + "x" + WINDOW + ", " + CLASSES + " classes, blocks per component "
                        + java.util.Arrays.toString(groups) + ", label width " + s.labelWidth()
                : "MLP 784-" + s.width() + "x" + s.depth() + "-10, label width " + s.labelWidth());
        if (blockMs != null) {
            out.put("block_step_ms", blockMs);
            out.put("gearbox_al_blocks", blocksKey());
        }
        out.put("L", s.depth());
        out.put("batch", s.batch());
        out.put("batches", s.batches());
        out.put("warmup_batches", s.warmupBatches());
        out.put("backend", s.backend());
        out.put("bp_examples_per_s", r1(bp.examplesPerSecond()));
        out.put("al_one_operator_examples_per_s", r1(sync.examplesPerSecond()));
        // the slot model's inputs: each component's step time when nothing else of the job runs beside it (the
        // one-operator AL run, components one after another) and backprop's step time, wall clock per batch
        double[] stageTimes = perBatch(sync.busySeconds());
        double tBp = bp.busySeconds()[0] / s.batches();
        int cores = Runtime.getRuntime().availableProcessors();
        List<Map<String, Object>> measured = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("slots", r.slots());
            m.put("al_examples_per_s", r1(r.examplesPerSecond()));
            m.put("al_over_bp", r3(r.examplesPerSecond() / bp.examplesPerSecond()));
            m.put("al_over_al_one_operator", r3(r.examplesPerSecond() / sync.examplesPerSecond()));
            double[] wall = perBatch(r.busySeconds());
            m.put("stage_busy_ms_per_batch", ms(wall));
            m.put("stage_thread_cpu_ms_per_batch", ms(perBatch(r.cpuSeconds())));
            m.put("balance", r3(max(wall) / (sum(wall) / wall.length)));
            double span = r.spanSeconds() / s.batches();
            m.put("pipeline_ms_per_batch", r3(1000 * span));
            m.put("gc_ms_per_batch", r3(1000 * r.gcSeconds() / (s.batches() + s.warmupBatches())));
            // every thread of the JVM over the measured batches: the stages, the source, Flink's threads, the
            // collectors; on c idle cores the pipeline cannot beat process CPU / c per batch, whatever the load
            m.put("process_cpu_ms_per_batch", r3(1000 * r.processCpuSeconds() / s.batches()));
            m.put("outside_stages_cpu_ms_per_batch",
                    r3(1000 * (r.processCpuSeconds() - sum(r.cpuSeconds())) / s.batches()));
            // stages slowed by sharing cores: busy time in the pipeline over the same step alone
            m.put("stage_slowdown", r3(sum(wall) / sum(stageTimes)));
            // what the slowest stage's busy time does not explain: waiting on buffers, (de)serialisation, scheduling
            m.put("unexplained_ms_per_batch", r3(1000 * (span - max(wall))));
            // the slot model on this machine: a mini cluster's slots are threads of one JVM, so its stages share
            // the machine's cores whatever the slot count: T = max(slowest stage, all stages / cores)
            m.put("predicted_al_over_bp", r3(tBp / Math.max(max(stageTimes), sum(stageTimes) / cores)));
            measured.add(m);
        }
        out.put("measured", measured);
        Map<String, Object> predicted = new LinkedHashMap<>();
        for (int k : new int[] {1, 2, 4, 8, 16}) {
            predicted.put(Integer.toString(k), r3(tBp / groupMax(stageTimes, k)));
        }
        out.put("predicted_al_over_bp_by_slots", predicted);
        out.put("bp_ms_per_batch", r3(1000 * tBp));
        out.put("bp_thread_cpu_ms_per_batch", r3(1000 * bp.cpuSeconds()[0] / s.batches()));
        out.put("bp_process_cpu_ms_per_batch", r3(1000 * bp.processCpuSeconds() / s.batches()));
        out.put("component_ms_per_batch", ms(stageTimes));
        out.put("bp_gc_ms_per_batch", r3(1000 * bp.gcSeconds() / (s.batches() + s.warmupBatches())));
        out.put("al_one_operator_gc_ms_per_batch", r3(1000 * sync.gcSeconds() / (s.batches() + s.warmupBatches())));
        out.put("model_balance", r3(max(stageTimes) / (sum(stageTimes) / stageTimes.length)));
        out.put("cores", cores);
        out.put("network_segment_kib", s.segmentKiB() > 0 ? s.segmentKiB() : 32);
        POOLS.remove(poolKey);
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

    /**
     * Network buffers of {@code segmentKiB} (0: Flink's default 32 KiB): Flink 2.2 lets a channel hold at most 10 buffers, so with the
     * default 32 KiB segments a 1 MiB record (32 windows of 4 x 2048 floats, stage 1's input) never fits in flight:
     * the producer stalls mid-record until the consumer has read it, the two tasks run in lockstep, and the consumer
     * copies every record that spans buffers into a freshly allocated array. With segments larger than the largest
     * record, each channel holds several batches, so the stages are decoupled by real queues. The network memory
     * then holds {@value #NETWORK_SEGMENTS} segments. Three pairs of runs on the shared VM favoured the default
     * (the source then runs tens of batches ahead, out of cache), so the default stays Flink's.
     */
    static final int NETWORK_SEGMENTS = 64;

    private StreamExecutionEnvironment env(int slots) {
        Configuration c = new Configuration();
        c.set(RestOptions.BIND_PORT, "0");
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        if (s.segmentKiB() > 0) {
            MemorySize segment = new MemorySize(s.segmentKiB() * 1024L);
            c.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, segment);
            MemorySize network = segment.multiply(NETWORK_SEGMENTS);
            c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, network);
            c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, network);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, c);
        env.setBufferTimeout(s.bufferTimeoutMs());
        return env;
    }

    /**
     * Distinct mini-batches the stream cycles through. They are generated once, before any run, so that no run pays
     * for drawing 32 x 8,192 Gaussians per batch on the cores it measures: in the pipeline runs that generation
     * competed with the stages for the two cores, while in the one-operator runs it had the other core to itself.
     */
    static final int POOL = 32;
    private static final Map<String, AlSignal[]> POOLS = new ConcurrentHashMap<>();
    private String poolKey;

    private String pool() {
        if (poolKey == null) {
            int n = Math.min(POOL, s.warmupBatches() + s.batches());
            AlSignal[] batches = new AlSignal[n];
            for (int i = 0; i < n; i++) {
                batches[i] = batch(i, s.batch(), s.seed(), inputShape());
            }
            poolKey = "w6-" + System.nanoTime();
            POOLS.put(poolKey, batches);
        }
        return poolKey;
    }

    /**
     * The TRAIN stream: warm-up batches, then the measured ones; batch i is the pool's i mod {@value #POOL}
     * (seeded synthetic inputs), under its own sequence number. The mini cluster runs in this JVM, so the
     * operators read the pool from a static map rather than from the serialised job graph.
     */
    private DataStream<AlSignal> signals(StreamExecutionEnvironment env) {
        String key = pool();
        return env.fromSource(new NumberSequenceSource(0, s.warmupBatches() + s.batches() - 1),
                        WatermarkStrategy.noWatermarks(), "w6-batches")
                .map(i -> {
                    AlSignal[] batches = POOLS.get(key);
                    AlSignal b = batches[(int) (i % batches.length)];
                    AlSignal out = AlSignal.train(b.key, i, b.inputShape, b.s, b.t, b.n);
                    return out;
                }).returns(TypeInformation.of(AlSignal.class)).name("w6-generate");
    }

    /** A seeded synthetic mini-batch: Gaussian inputs whose class shifts every 10th value, one-hot labels. */
    static AlSignal batch(long i, int n, long seed, int[] shape) {
        SplittableRandom r = new SplittableRandom(seed * 7919 + i);
        int per = dev.tandem.learning.tensor.Shapes.size(shape);
        float[] x = new float[n * per];
        float[] y = new float[n * CLASSES];
        for (int e = 0; e < n; e++) {
            int k = r.nextInt(CLASSES);
            y[e * CLASSES + k] = 1;
            for (int j = 0; j < per; j++) {
                x[e * per + j] = (float) (r.nextGaussian() * 0.5 + (j % CLASSES == k ? 0.5 : 0));
            }
        }
        return AlSignal.train("w6", i, shape, x, y, n);
    }

    private Run runAl(int slots) throws Exception {
        String profile = "w6-al-" + slots + "-" + System.nanoTime();
        AlStageSettings st = stageSettings(profile);
        StreamExecutionEnvironment env = env(slots);
        AlPipeline.Outputs o = AlPipeline.wire(signals(env), st, slots, "w6-");
        o.predictions().sinkTo(new DiscardingSink<>()).name("w6-discard");
        long t0 = System.nanoTime();
        long gc0 = gcMillis();
        env.execute("w6-al-" + slots + "-slots");
        double wall = (System.nanoTime() - t0) / 1e9;
        Run r = measure("al", slots, profile, s.depth(), wall, (gcMillis() - gc0) / 1e3);
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
        long gc0 = gcMillis();
        env.execute("w6-" + name);
        double wall = (System.nanoTime() - t0) / 1e9;
        Run r = measure(name, 1, profile, backprop ? 1 : s.depth(), wall, (gcMillis() - gc0) / 1e3);
        err.printf(Locale.ROOT, "w6: %s in one operator: %.1f examples/s%n", name, r.examplesPerSecond());
        return r;
    }

    /** Busy intervals of the measured batches only (signals after the warm-up ones). */
    /** Milliseconds the JVM's collectors have spent so far (stop-the-world pauses stall every stage at once). */
    static long gcMillis() {
        long t = 0;
        for (var g : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, g.getCollectionTime());
        }
        return t;
    }

    private Run measure(String name, int slots, String profile, int operators, double wall, double gc) {
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
        long cpuFirst = -1;
        long cpuLast = -1;
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
                // the JVM's CPU clock from the end of operator 0's last warm-up batch (its nearest reading)
                cpuFirst = s.warmupBatches() > 0 ? list.get(s.warmupBatches() - 1).processCpuAtEnd() : -1;
            }
            if (l == operators - 1) {
                last = list.get(list.size() - 1).end();
                cpuLast = list.get(list.size() - 1).processCpuAtEnd();
            }
        }
        double span = (last - first) / 1e9;
        double processCpu = cpuFirst >= 0 && cpuLast >= 0 ? (cpuLast - cpuFirst) / 1e9 : Double.NaN;
        return new Run(name, slots, s.batches() * (double) s.batch() / span, span, busy, cpu, wall, gc, processCpu);
    }

    private static double r1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double r3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
