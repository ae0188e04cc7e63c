package dev.tandem.operators.rain;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.models.rain.ExpertCombination;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.RegionLearner;
import dev.tandem.models.rain.RegionSettings;
import dev.tandem.models.rain.RegionState;
import dev.tandem.models.rain.StationRain;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.learning.io.ModelSeed;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.DeadLetterCounters;
import dev.tandem.operators.common.TandemMetrics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The region trainer, keyed by region: moves each region's {@link RegionState} between Flink's keyed state
 * ({@link RegionStateSerializer}, no Kryo) and the Flink-free {@link RegionLearner}, which on each frame scores the
 * forecasts made for its step, learns (S-SGD by default; a NaN or infinite loss or gradient skips the update, counted
 * as {@code skippedUpdates}) and forecasts the step {@code horizon} ahead; that forecast goes out as a
 * {@link Forecast} (grid values and per-station values, the model version and the hashes of the weights before
 * and after this frame's step, so that a restore from a checkpoint can be checked bit for bit). The first T − 1 frames of a region emit
 * nothing. A frame whose grid or features differ from the region's model (a configuration change between runs) goes
 * to {@link #MISFITS} as a dead letter, and so does the fault event of a region whose updates were refused
 * {@code training.max-consecutive-faults} times in a row for non-finite values (reason {@code numerical: ...}, again
 * at every further multiple); the job goes on.
 *
 * <p>Metrics: {@code frames}, {@code forecasts}, {@code trainingSteps}, {@code skippedUpdates} (counters),
 * {@code modelVersion}, {@code prequentialMse}, {@code loss} (gauges of the region seen last), and the cluster
 * operator's set in the {@code tandem} sub-group ({@link TandemMetrics}: steps and steps/s, loss, model version,
 * prequential MSE, dead letters by reason). With an initial model ({@code rainfall.initial-model}, a
 * {@link ModelSeed}) a region without state starts its ConvLSTM from that file's weights.
 */
public final class RegionTrainerFunction extends KeyedProcessFunction<String, RainFrame, Forecast> {
    private static final Logger LOG = LoggerFactory.getLogger(RegionTrainerFunction.class);
    public static final OutputTag<DeadLetter> MISFITS = new OutputTag<>("rain-trainer-misfits") {
    };
    public static final String STATE_NAME = "rain-model";
    private final RegionSettings settings;
    private final ModelSeed initialModel;
    private transient ValueState<RegionState> state;
    private transient dev.tandem.operators.common.StateSizeGauges<RegionState> stateSize;
    private transient RegionLearner learner;
    private transient TimeStep timeStep;
    private transient Counter frames;
    private transient Counter forecasts;
    private transient Counter steps;
    private transient Counter skippedUpdates;
    private transient TandemMetrics tandem;
    private transient DeadLetterCounters deadLetters;
    private transient volatile RegionState last;
    private java.time.Duration idleTtl = java.time.Duration.ZERO;

    public RegionTrainerFunction(RegionSettings settings) {
        this(settings, null);
    }

    /** With the model file new regions' ConvLSTM starts from (null: its own initial weights). */
    public RegionTrainerFunction(RegionSettings settings, ModelSeed initialModel) {
        this.settings = settings;
        this.initialModel = initialModel;
    }

    /**
     * An idle region's model expires after ttl of processing time without a frame (zero, the default, keeps it;
     * {@code state.idle-ttl-minutes}).
     */
    public RegionTrainerFunction withIdleTtl(java.time.Duration ttl) {
        this.idleTtl = ttl;
        return this;
    }

    public static ValueStateDescriptor<RegionState> descriptor(String backend) {
        return new ValueStateDescriptor<>(STATE_NAME, new RegionStateSerializer(backend));
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(dev.tandem.operators.common.IdleStateTtl.apply(descriptor(settings.backend()), idleTtl));
        Backend backend = Backends.choose(settings.backend()).backend();
        learner = RegionLearner.convLstm(settings, backend).withInitialModel(initialModel);
        timeStep = settings.timeStep();
        var g = getRuntimeContext().getMetricGroup();
        frames = g.counter("frames");
        forecasts = g.counter("forecasts");
        steps = g.counter("trainingSteps");
        skippedUpdates = g.counter("skippedUpdates");
        g.gauge("modelVersion", () -> last == null ? 0L : last.version());
        g.gauge("prequentialMse", () -> last == null ? Double.NaN : last.prequentialMse());
        g.gauge("loss", () -> last == null ? Double.NaN : last.convLstmState().lastLoss());
        tandem = TandemMetrics.trainer(g, () -> last == null ? Double.NaN : last.convLstmState().lastLoss(),
                () -> last == null ? 0L : last.version(), "prequentialMse",
                () -> last == null ? Double.NaN : last.prequentialMse());
        deadLetters = new DeadLetterCounters(g);
        stateSize = new dev.tandem.operators.common.StateSizeGauges<>(g, "region", descriptor(settings.backend()).getSerializer(), 10_000);
    }

    @Override
    public void processElement(RainFrame in, Context ctx, Collector<Forecast> out) throws Exception {
        Frame frame = in.toFrame();
        RegionState m = state.value();
        if (m == null) {
            m = learner.create(frame.grid(), frame.features());
        } else {
            String misfit = learner.mismatch(m, frame.grid(), frame.features());
            if (misfit != null) {
                deadLetters.count(misfit);
                ctx.output(MISFITS, new DeadLetter("trainer", -1, -1, "region " + in.region + ": " + misfit,
                        in.toString(), ctx.timerService().currentProcessingTime()));
                return;
            }
        }
        long versionBefore = m.version();
        String hashBefore = m.modelHash();
        long skippedBefore = m.convLstmState().skipped();
        RegionLearner.Step step = learner.observe(m, frame, in.stations());
        if (step.chosen() != null) { // once per region: the settings chosen from its stream (AdaptiveDefaults)
            LOG.info("rainfall region '{}': {}", in.region, step.chosen().describe());
        }
        frames.inc();
        steps.inc(m.version() - versionBefore);
        tandem.steps(m.version() - versionBefore);
        skippedUpdates.inc(m.convLstmState().skipped() - skippedBefore);
        if (m.convLstmState().faults().takeReport()) {
            ctx.output(MISFITS, DeadLetter.numerical("region '" + in.region + "'", m.convLstmState().faults(),
                    in.toString(), ctx.timerService().currentProcessingTime()));
        }
        if (step.issued() != null) {
            Forecast fc = forecast(in, m, step, ctx.timerService().currentProcessingTime());
            fc.previousModelHash = hashBefore;
            out.collect(fc);
            forecasts.inc();
        }
        state.update(m);
        stateSize.observe(in.region, m);
        last = m;
    }

    private Forecast forecast(RainFrame frame, RegionState m, RegionLearner.Step step, long now) {
        Grid g = m.grid;
        Forecast fc = new Forecast();
        fc.region = frame.region;
        fc.issuedAt = frame.end;
        fc.grid = new Forecast.GridSpec(g.rows(), g.cols(), g.lat0(), g.lon0(), g.dlat(), g.dlon());
        fc.thresholdMm = m.experts.threshold();
        List<String> components = new ArrayList<>();
        components.add(m.forecaster().name());
        components.addAll(ExpertCombination.BASELINES);
        fc.components = components.toArray(new String[0]);
        List<RegionState.Pending> issued = step.issuedLeads();
        fc.leads = new Forecast.Lead[issued.size()];
        for (int i = 0; i < issued.size(); i++) {
            fc.leads[i] = lead(frame, g, issued.get(i));
        }
        Forecast.Lead last = fc.leads[fc.leads.length - 1];
        fc.validAt = last.validAt;
        fc.validUntil = last.validUntil;
        fc.rainMm = last.rainMm;
        fc.probability = last.probability;
        fc.stations = last.stations;
        fc.weights = last.weights;
        fc.modelVersion = m.version();
        fc.modelHash = m.modelHash();
        fc.previousMse = step.mse();
        fc.scoredStations = step.due().isEmpty() ? null : step.scored();
        fc.emittedAt = now;
        return fc;
    }

    private Forecast.Lead lead(RainFrame frame, Grid g, RegionState.Pending p) {
        Forecast.Lead l = new Forecast.Lead();
        l.lead = p.lead();
        l.validAt = timeStep.start(p.validStep());
        l.validUntil = timeStep.start(p.validStep() + 1);
        l.rainMm = rows(g, p.rainMm());
        l.probability = rows(g, p.probability());
        l.weights = p.weights().clone();
        List<Forecast.StationValue> st = new ArrayList<>();
        for (int i = 0; i < frame.stations.length; i++) {
            float v = g.sample(p.rainMm(), frame.stationLat[i], frame.stationLon[i]);
            if (Float.isFinite(v)) {
                st.add(new Forecast.StationValue(frame.stations[i], frame.stationLat[i], frame.stationLon[i], v,
                        g.sample(p.probability(), frame.stationLat[i], frame.stationLon[i])));
            }
        }
        l.stations = st.toArray(new Forecast.StationValue[0]);
        return l;
    }

    private static float[][] rows(Grid g, float[] values) {
        float[][] out = new float[g.rows()][g.cols()];
        for (int r = 0; r < g.rows(); r++) {
            System.arraycopy(values, r * g.cols(), out[r], 0, g.cols());
        }
        return out;
    }
}
