package dev.tandem.operators.rain;

import dev.tandem.models.rain.ConvLstmRainForecaster;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.operators.common.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The forecaster trainer, keyed by region: one ConvLSTM ({@link ConvLstmRainForecaster}) per region in keyed state
 * ({@link RainModelSerializer}, no Kryo). On each frame, in this order:
 * <ol>
 *   <li><b>score</b> (prequential): the forecasts issued earlier for this frame's step are compared with the rain
 *       observed at the frame's stations (the forecast of the station's cell; squared error in mm²);</li>
 *   <li><b>learn</b>: once T + k − 1 frames are kept, the oldest T of them (the window that ends k steps before this
 *       frame) → this frame's observed rain, one {@code learn} call (S-SGD by default); a NaN or infinite loss or
 *       gradient skips the update, leaves the model unchanged and is counted ({@code skippedUpdates});</li>
 *   <li><b>forecast</b>: with the newest T frames, the rain of step k after this one, emitted as a {@link Forecast}
 *       (grid values and per-station values, the model version) and kept until its step is observed.</li>
 * </ol>
 * The first T − 1 frames of a region emit nothing (no full window yet). A frame whose grid or features differ from
 * the region's model (a configuration change between runs) goes to {@link #MISFITS} as a dead letter.
 *
 * <p>Metrics: {@code frames}, {@code forecasts}, {@code trainingSteps}, {@code skippedUpdates} (counters),
 * {@code modelVersion}, {@code prequentialMse}, {@code loss} (gauges of the region seen last).
 */
public final class ForecasterTrainerFunction extends KeyedProcessFunction<String, RainFrame, Forecast> {
    public static final OutputTag<DeadLetter> MISFITS = new OutputTag<>("rain-trainer-misfits") {
    };
    public static final String STATE_NAME = "rain-model";
    private final RainTrainerSettings settings;
    private transient ValueState<RainModel> state;
    private transient Backend backend;
    private transient TimeStep timeStep;
    private transient Counter frames;
    private transient Counter forecasts;
    private transient Counter steps;
    private transient Counter skippedUpdates;
    private transient volatile RainModel last;
    private transient dev.tandem.operators.common.StateSizeGauges<RainModel> stateSize;

    public ForecasterTrainerFunction(RainTrainerSettings settings) {
        this.settings = settings;
    }

    public static ValueStateDescriptor<RainModel> descriptor(String backend) {
        return new ValueStateDescriptor<>(STATE_NAME, new RainModelSerializer(backend));
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(descriptor(settings.backend()));
        backend = Backends.choose(settings.backend()).backend();
        timeStep = settings.timeStep();
        var g = getRuntimeContext().getMetricGroup();
        frames = g.counter("frames");
        forecasts = g.counter("forecasts");
        steps = g.counter("trainingSteps");
        skippedUpdates = g.counter("skippedUpdates");
        g.gauge("modelVersion", () -> last == null ? 0L : last.version());
        g.gauge("prequentialMse", () -> last == null ? Double.NaN : last.prequentialMse());
        g.gauge("loss", () -> last == null ? Double.NaN : last.lastLoss);
        stateSize = new dev.tandem.operators.common.StateSizeGauges<>(g, "region", descriptor(settings.backend()).getSerializer(), 10_000);
    }

    @Override
    public void processElement(RainFrame frame, Context ctx, Collector<Forecast> out) throws Exception {
        RainModel m = state.value();
        if (m == null) {
            m = RainModel.create(settings, frame, backend);
        } else if (!m.fits(frame)) {
            ctx.output(MISFITS, new DeadLetter("trainer", -1, -1, "frame of region " + frame.region + " on grid "
                    + frame.grid() + " with features " + List.of(frame.features) + " does not fit the region's model ("
                    + m.grid + ", " + m.features + ")", frame.toString(), ctx.timerService().currentProcessingTime()));
            return;
        }
        ConvLstmRainForecaster f = m.forecaster(settings);
        m.framesSeen++;
        frames.inc();
        // 1. score the forecasts made for this step, before anything is learned from it
        double se = 0;
        int scored = 0;
        boolean hadForecast = false;
        for (Iterator<RainModel.Pending> it = m.pending.iterator(); it.hasNext(); ) {
            RainModel.Pending p = it.next();
            if (p.validStep() == frame.step) {
                hadForecast = true;
                for (int i = 0; i < frame.stations.length; i++) {
                    float obs = frame.stationRain[i];
                    float pred = m.grid.sample(p.rainMm(), frame.stationLat[i], frame.stationLon[i]);
                    if (Float.isFinite(obs) && Float.isFinite(pred)) {
                        se += (double) (pred - obs) * (pred - obs);
                        scored++;
                    }
                }
            }
            if (p.validStep() <= frame.step) {
                it.remove();
            }
        }
        m.squaredError += se;
        m.scoredStations += scored;
        // 2. learn: the window that ends k steps before this frame → this frame's rain
        long versionBefore = m.version();
        long skippedBefore = f.skippedSteps();
        if (m.frames.size() == m.capacity()) {
            f.learn(RainModel.toFrames(m.frames.subList(0, m.window)), frame.rainMm, frame.rainMask);
        }
        steps.inc(m.version() - versionBefore);
        skippedUpdates.inc(f.skippedSteps() - skippedBefore);
        m.frames.add(frame);
        while (m.frames.size() > m.capacity()) {
            m.frames.remove(0);
        }
        // 3. forecast step + k from the newest T frames
        if (m.frames.size() >= m.window) {
            List<RainFrame> newest = m.frames.subList(m.frames.size() - m.window, m.frames.size());
            float[] grid = f.forecast(RainModel.toFrames(newest));
            long valid = frame.step + m.horizon;
            m.pending.add(new RainModel.Pending(valid, grid));
            out.collect(forecast(frame, m, grid, valid, hadForecast ? se / Math.max(1, scored) : null,
                    hadForecast ? scored : null, ctx.timerService().currentProcessingTime()));
            forecasts.inc();
        }
        m.sync();
        state.update(m);
        last = m;
        stateSize.observe(frame.region, m);
    }

    private Forecast forecast(RainFrame frame, RainModel m, float[] values, long valid, Double mse, Integer scored,
                              long now) {
        Grid g = m.grid;
        Forecast fc = new Forecast();
        fc.region = frame.region;
        fc.issuedAt = frame.end;
        fc.validAt = timeStep.start(valid);
        fc.validUntil = timeStep.start(valid + 1);
        fc.grid = new Forecast.GridSpec(g.rows(), g.cols(), g.lat0(), g.lon0(), g.dlat(), g.dlon());
        fc.rainMm = new float[g.rows()][g.cols()];
        for (int r = 0; r < g.rows(); r++) {
            System.arraycopy(values, r * g.cols(), fc.rainMm[r], 0, g.cols());
        }
        List<Forecast.StationValue> st = new ArrayList<>();
        for (int i = 0; i < frame.stations.length; i++) {
            float v = g.sample(values, frame.stationLat[i], frame.stationLon[i]);
            if (Float.isFinite(v)) {
                st.add(new Forecast.StationValue(frame.stations[i], frame.stationLat[i], frame.stationLon[i], v));
            }
        }
        fc.stations = st.toArray(new Forecast.StationValue[0]);
        fc.modelVersion = m.version();
        fc.previousMse = mse;
        fc.scoredStations = scored;
        fc.emittedAt = now;
        return fc;
    }
}
