package dev.tandem.operators.rain;

import dev.tandem.learning.data.WeatherCsv;
import dev.tandem.learning.rain.FeatureNormaliser;
import dev.tandem.learning.rain.Frame;
import dev.tandem.learning.rain.Grid;
import dev.tandem.learning.rain.Rasterizer;
import dev.tandem.learning.rain.TimeStep;
import dev.tandem.operators.records.DeadLetter;
import dev.tandem.operators.records.Json;
import dev.tandem.operators.records.RainFrame;
import dev.tandem.operators.records.WeatherReading;
import dev.tandem.operators.validate.ParseAndValidate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keyed (key = region) event-time rasterizer: readings are collected per time step ({@link TimeStep}); when the
 * watermark passes a step's end the step's {@link RainFrame} is emitted (revision 0). A reading that arrives after
 * that but within {@code allowedLatenessMs} of the step's end updates the frame, which is emitted again (revision
 * 1, 2, …). A later reading goes to {@link ParseAndValidate#DEAD_LETTERS} with the reason {@code late: …}. The
 * per-feature normalisation ({@link FeatureNormaliser}) learns from every accepted reading and lives in keyed state
 * with the buffered readings; a step's readings are dropped once its lateness has passed. A step without readings
 * emits no frame. The frame math is {@link Rasterizer}'s (docs/RAINFALL.md).
 */
public final class RasterizeFunction extends KeyedProcessFunction<String, WeatherReading, RainFrame> {
    public static final String TOPIC = "weather-readings";
    private final Grid grid;
    private final List<String> features;
    private final TimeStep step;
    private final Rasterizer.Settings idw;
    private final long allowedLatenessMs;
    private final int rawMaxBytes;
    private transient Rasterizer rasterizer;
    private transient MapState<Long, WeatherReading[]> buffered;
    private transient MapState<Long, Integer> revisions;
    private transient ValueState<byte[]> normaliser;
    private transient Counter late;
    private transient Counter frames;

    public RasterizeFunction(Grid grid, List<String> features, TimeStep step, Rasterizer.Settings idw,
                             long allowedLatenessMs, int rawMaxBytes) {
        if (allowedLatenessMs < 0) {
            throw new IllegalArgumentException("allowed lateness must be >= 0 ms, got " + allowedLatenessMs);
        }
        this.grid = grid;
        this.features = List.copyOf(features);
        this.step = step;
        this.idw = idw;
        this.allowedLatenessMs = allowedLatenessMs;
        this.rawMaxBytes = rawMaxBytes;
        new Rasterizer(grid, features, idw); // checks the settings at job build time
    }

    @Override
    public void open(OpenContext openContext) {
        rasterizer = new Rasterizer(grid, features, idw);
        buffered = getRuntimeContext().getMapState(new MapStateDescriptor<>("readings", Types.LONG,
                Types.OBJECT_ARRAY(TypeInformation.of(WeatherReading.class))));
        revisions = getRuntimeContext().getMapState(new MapStateDescriptor<>("revisions", Types.LONG, Types.INT));
        normaliser = getRuntimeContext().getState(new ValueStateDescriptor<>("normaliser",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        late = getRuntimeContext().getMetricGroup().counter("lateReadings");
        frames = getRuntimeContext().getMetricGroup().counter("frames");
    }

    private long end(long s) {
        return step.start(s + 1) - 1;
    }

    @Override
    public void processElement(WeatherReading r, Context ctx, Collector<RainFrame> out) throws Exception {
        long s = step.index(r.time);
        long end = end(s);
        long wm = ctx.timerService().currentWatermark();
        if (end + allowedLatenessMs <= wm) {
            late.inc();
            ctx.output(ParseAndValidate.DEAD_LETTERS, new DeadLetter(TOPIC, -1, -1,
                    "late: reading at " + r.time + " for step " + s + " (ends " + end + ") arrived at watermark " + wm
                            + ", allowed lateness " + allowedLatenessMs + " ms",
                    truncate(Json.write(r)), ctx.timerService().currentProcessingTime()));
            return;
        }
        FeatureNormaliser state = state();
        rasterizer.restore(state);
        WeatherCsv.Reading reading = WeatherFeatures.of(r, features);
        rasterizer.observe(List.of(reading));
        normaliser.update(rasterizer.normaliser().toBytes());
        WeatherReading[] have = buffered.get(s);
        WeatherReading[] now = have == null ? new WeatherReading[] {r} : append(have, r);
        buffered.put(s, now);
        if (end <= wm) {
            Integer rev = revisions.get(s);
            int next = rev == null ? 0 : rev + 1;
            revisions.put(s, next);
            out.collect(frame(ctx.getCurrentKey(), s, now, next));
        } else {
            ctx.timerService().registerEventTimeTimer(end);
        }
        ctx.timerService().registerEventTimeTimer(end + allowedLatenessMs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RainFrame> out) throws Exception {
        List<Long> steps = new ArrayList<>();
        for (Long s : buffered.keys()) {
            steps.add(s);
        }
        steps.sort(Long::compare);
        for (long s : steps) {
            long end = end(s);
            if (end == timestamp && !revisions.contains(s)) {
                rasterizer.restore(state());
                revisions.put(s, 0);
                out.collect(frame(ctx.getCurrentKey(), s, buffered.get(s), 0));
            }
            if (end + allowedLatenessMs <= timestamp) {
                buffered.remove(s);
                revisions.remove(s);
            }
        }
    }

    private RainFrame frame(String region, long s, WeatherReading[] readings, int revision) {
        List<WeatherCsv.Reading> rs = new ArrayList<>(readings.length);
        for (WeatherReading w : readings) {
            rs.add(WeatherFeatures.of(w, features));
        }
        Frame f = rasterizer.rasterize(s, rs);
        frames.inc();
        return RainFrame.of(region, step.start(s), revision, readings.length, f);
    }

    private FeatureNormaliser state() throws Exception {
        byte[] b = normaliser.value();
        return b == null ? new FeatureNormaliser(features) : FeatureNormaliser.fromBytes(b);
    }

    private static WeatherReading[] append(WeatherReading[] a, WeatherReading r) {
        WeatherReading[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = r;
        return b;
    }

    private String truncate(byte[] raw) {
        int n = Math.min(raw.length, rawMaxBytes);
        String s = new String(raw, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        return n < raw.length ? s + "…(" + raw.length + " bytes)" : s;
    }
}
