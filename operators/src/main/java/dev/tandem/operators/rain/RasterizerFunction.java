package dev.tandem.operators.rain;

import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.models.rain.FeatureNormaliser;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.Rasterizer;
import dev.tandem.models.rain.StationRain;
import dev.tandem.models.rain.StepCheck;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.IdleStateTtl;
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
import org.apache.flink.util.OutputTag;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rasterizer, keyed by region: buffers each time step's readings in keyed state and, when event time (the
 * watermark) passes the step's end plus {@code rainfall.allowed-lateness-ms}, turns them into one {@link RainFrame}
 * with {@link Rasterizer} (inverse-distance weighting, masks, online normalisation) and forgets them. A reading
 * that arrives later than that — its step already emitted or closed — goes to {@link #LATE} as a dead letter
 * (reason {@code late: ...}) with the topic, partition and offset the reading came from (topic {@code rasterizer},
 * offset −1 for a reading that did not come from a topic).
 *
 * <p>The grid and the features are fixed when the first frame is emitted (from configuration, else from that
 * step's stations and the standard fields present in it) and kept, with the {@link FeatureNormaliser} state, in
 * keyed state as bytes with a version header ({@link #SETUP_FORMAT}). A step without readings emits no frame.
 *
 * <p>The region's first readings are also checked against {@code rainfall.step} ({@link StepCheck}: the step
 * {@code eval rainfall} would infer from them): when the readings come at a step more than 1.5 × longer or shorter,
 * one WARN names the region, the configured value and the inferred step, and {@code stepMismatches} counts it.
 * The check lives in the operator instance, not in state (it forgets a region once it has decided), so a restored
 * job checks again.
 *
 * <p>Metrics: {@code readings}, {@code lateReadings}, {@code frames}, {@code stepMismatches}.
 */
public final class RasterizerFunction extends KeyedProcessFunction<String, WeatherReading, RainFrame> {
    public static final OutputTag<DeadLetter> LATE = new OutputTag<>("rain-late-readings") {
    };
    public static final int SETUP_FORMAT = 1;
    private final RasterSettings settings;
    private transient TimeStep timeStep;
    private transient MapState<Long, List<WeatherReading>> pending;
    private transient ValueState<Setup> setup;
    /** The set-up as bytes, the state of builds before {@link RasterSetupSerializer}: read once, then cleared. */
    private transient ValueState<byte[]> setupBytes;
    private transient ValueState<Long> lastEmitted;
    private transient Counter readings;
    private transient Counter late;
    private transient dev.tandem.operators.common.DeadLetterCounters deadLetters;
    private transient Counter frames;
    private transient Counter stepMismatches;
    /** Per region of this subtask, the step check over its first readings (decided ones hold nothing but the verdict). */
    private transient Map<String, StepCheck> stepChecks;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RasterizerFunction.class);

    private java.time.Duration idleTtl = java.time.Duration.ZERO;

    public RasterizerFunction(RasterSettings settings) {
        this.settings = settings;
    }

    /**
     * An idle region's buffered readings, grid and normaliser expire after ttl of processing time without a write
     * (zero, the default, keeps them; {@code state.idle-ttl-minutes}).
     */
    public RasterizerFunction withIdleTtl(java.time.Duration ttl) {
        this.idleTtl = ttl;
        return this;
    }

    @Override
    public void open(OpenContext openContext) {
        timeStep = settings.timeStep();
        pending = getRuntimeContext().getMapState(IdleStateTtl.apply(new MapStateDescriptor<>("rain-pending-readings", Types.LONG,
                Types.LIST(TypeInformation.of(WeatherReading.class))), idleTtl));
        setup = getRuntimeContext().getState(IdleStateTtl.apply(new ValueStateDescriptor<>("rain-raster", new RasterSetupSerializer()), idleTtl));
        setupBytes = getRuntimeContext().getState(IdleStateTtl.apply(new ValueStateDescriptor<>("rain-raster-setup",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), idleTtl));
        lastEmitted = getRuntimeContext().getState(IdleStateTtl.apply(new ValueStateDescriptor<>("rain-last-step", Types.LONG), idleTtl));
        var g = getRuntimeContext().getMetricGroup();
        readings = g.counter("readings");
        late = g.counter("lateReadings");
        frames = g.counter("frames");
        stepMismatches = g.counter("stepMismatches");
        stepChecks = new java.util.HashMap<>();
        deadLetters = new dev.tandem.operators.common.DeadLetterCounters(g);
    }

    /** The event time at which step i's frame is emitted: its end plus the allowed lateness (minus 1 ms). */
    long closesAt(long step) {
        return timeStep.start(step + 1) + settings.allowedLatenessMs() - 1;
    }

    @Override
    public void processElement(WeatherReading r, Context ctx, Collector<RainFrame> out) throws Exception {
        checkStep(ctx.getCurrentKey(), r);
        long step = timeStep.index(r.time);
        long closes = closesAt(step);
        long watermark = ctx.timerService().currentWatermark();
        Long last = lastEmitted.value();
        if (watermark >= closes || (last != null && step <= last)) {
            late.inc();
            deadLetters.count("late");
            // the reading's own topic, partition and offset, so the dead letter points at the record to replay
            ctx.output(LATE, new DeadLetter(r.sourceTopic == null ? "rasterizer" : r.sourceTopic, r.sourcePartition,
                    r.sourceOffset, "late: reading of step " + step + " ("
                    + timeStep.label() + ", time " + r.time + ") arrived after the step closed at event time " + closes
                    + " (watermark " + watermark + ", rainfall.allowed-lateness-ms " + settings.allowedLatenessMs() + ")",
                    new String(ParseAndValidateWeather.write(r), StandardCharsets.UTF_8),
                    ctx.timerService().currentProcessingTime()));
            return;
        }
        List<WeatherReading> list = pending.get(step);
        if (list == null) {
            list = new ArrayList<>();
        }
        list.add(r);
        pending.put(step, list);
        readings.inc();
        ctx.timerService().registerEventTimeTimer(closes);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RainFrame> out) throws Exception {
        List<Long> due = new ArrayList<>();
        for (Long s : pending.keys()) {
            if (closesAt(s) <= timestamp) {
                due.add(s);
            }
        }
        due.sort(null);
        for (long s : due) {
            List<WeatherReading> rs = pending.get(s);
            pending.remove(s);
            out.collect(frame(ctx.getCurrentKey(), s, rs));
            lastEmitted.update(s);
            frames.inc();
        }
    }

    /** Feeds the region's step check; warns once when its readings come at another step than the configured one. */
    private void checkStep(String region, WeatherReading r) {
        StepCheck check = stepChecks.computeIfAbsent(region, k -> new StepCheck(timeStep));
        if (check.add(r.station, r.time)) {
            stepMismatches.inc();
            LOG.warn(check.warning(region));
        }
    }

    /** The step check of a region of this subtask (null before its first reading), for tests. */
    StepCheck stepCheck(String region) {
        return stepChecks.get(region);
    }

    /** Rasterizes one step's readings (fixing the grid and features first if this is the region's first frame). */
    RainFrame frame(String region, long step, List<WeatherReading> rs) throws IOException {
        Setup s = setup.value();
        if (s == null && setupBytes.value() != null) {
            s = Setup.fromBytes(setupBytes.value());
            setupBytes.clear();
        }
        if (s == null) {
            List<String> features = settings.features().isEmpty() ? WeatherFeatures.present(rs) : settings.features();
            Grid grid = settings.configuredGrid();
            if (grid == null) {
                Map<String, double[]> where = stations(rs);
                double[] lats = new double[where.size()];
                double[] lons = new double[where.size()];
                int i = 0;
                for (double[] ll : where.values()) {
                    lats[i] = ll[0];
                    lons[i++] = ll[1];
                }
                grid = Grid.fromStations(lats, lons, settings.maxSide());
            }
            s = new Setup(grid, features, new FeatureNormaliser(features));
        }
        Rasterizer rasterizer = new Rasterizer(s.grid(), s.features(), settings.idw());
        rasterizer.restore(s.normaliser());
        List<WeatherCsv.Reading> rows = new ArrayList<>(rs.size());
        for (WeatherReading r : rs) {
            rows.add(WeatherFeatures.toReading(r, s.features()));
        }
        rasterizer.observe(rows);
        Frame f = rasterizer.rasterize(step, rows);
        setup.update(s); // the normaliser learned in place; a heap backend keeps the object, encoded only at checkpoints
        RainFrame out = new RainFrame();
        out.region = region;
        out.step = step;
        out.start = timeStep.start(step);
        out.end = timeStep.start(step + 1);
        out.setGrid(s.grid());
        out.features = s.features().toArray(new String[0]);
        out.values = f.values();
        out.masks = f.masks();
        out.coverage = f.coverage();
        out.rainMm = f.rainMm();
        out.rainMask = f.rainMask();
        out.readings = rs.size();
        StationRain st = StationRain.of(rows); // the same stations and sums as eval rainfall's scoring
        out.stations = st.stations();
        out.stationLat = st.lat();
        out.stationLon = st.lon();
        out.stationRain = st.rainMm();
        return out;
    }

    /** Per station (in order of first reading): lat, lon, summed rain, number of readings with rain. */
    private static Map<String, double[]> stations(List<WeatherReading> rs) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (WeatherReading r : rs) {
            double[] v = m.computeIfAbsent(r.station, k -> new double[] {r.lat, r.lon, 0, 0});
            if (Double.isFinite(r.rainMm)) {
                v[2] += r.rainMm;
                v[3]++;
            }
        }
        return m;
    }

    /** The region's fixed grid and features and its normaliser state; bytes with a version header. */
    public record Setup(Grid grid, List<String> features, FeatureNormaliser normaliser) {
        byte[] toBytes() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.writeInt(SETUP_FORMAT);
            out.writeInt(grid.rows());
            out.writeInt(grid.cols());
            out.writeDouble(grid.lat0());
            out.writeDouble(grid.lon0());
            out.writeDouble(grid.dlat());
            out.writeDouble(grid.dlon());
            out.writeInt(features.size());
            for (String f : features) {
                out.writeUTF(f);
            }
            byte[] n = normaliser.toBytes();
            out.writeInt(n.length);
            out.write(n);
            out.flush();
            return b.toByteArray();
        }

        static Setup fromBytes(byte[] bytes) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            int v = in.readInt();
            if (v != SETUP_FORMAT) {
                throw new IOException("rasterizer state format " + v + " unsupported; this build reads " + SETUP_FORMAT);
            }
            Grid g = new Grid(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
            int nf = in.readInt();
            List<String> features = new ArrayList<>(nf);
            for (int i = 0; i < nf; i++) {
                features.add(in.readUTF());
            }
            byte[] n = new byte[in.readInt()];
            in.readFully(n);
            return new Setup(g, features, FeatureNormaliser.fromBytes(n));
        }
    }
}
