package dev.tandem.operators.gearbox;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Debounces predictions into alerts, keyed by machine ({@link AlertSettings}): RAISED on the k-th consecutive
 * window of one fault with confidence ≥ τ, CLEARED after the machine has been predicted healthy for
 * {@code clearWindows} windows in a row. An idle machine's state expires after {@code ttl} (zero keeps it).
 */
public final class AlertFunction extends KeyedProcessFunction<String, Prediction, Alert> {
    private final AlertSettings settings;
    private final Duration ttl;
    private transient ValueState<AlertState> state;
    private transient Counter raised;
    private transient Counter cleared;

    public AlertFunction(AlertSettings settings, Duration ttl) {
        this.settings = settings;
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<AlertState> d = new ValueStateDescriptor<>("alert", TypeInformation.of(AlertState.class));
        state = getRuntimeContext().getState(dev.tandem.operators.common.IdleStateTtl.apply(d, ttl));
        raised = getRuntimeContext().getMetricGroup().counter("alertsRaised");
        cleared = getRuntimeContext().getMetricGroup().counter("alertsCleared");
    }

    @Override
    public void processElement(Prediction p, Context ctx, Collector<Alert> out) throws Exception {
        AlertState s = state.value();
        if (s == null) {
            s = new AlertState();
        }
        boolean healthy = settings.healthyClass().equals(p.decision);
        boolean qualifies = !healthy && p.confidence >= settings.confidence();
        if (qualifies) {
            if (p.decision.equals(s.fault)) {
                s.run++;
                s.confidenceSum += p.confidence;
            } else {
                s.fault = p.decision;
                s.run = 1;
                s.confidenceSum = p.confidence;
            }
        } else {
            s.fault = null;
            s.run = 0;
            s.confidenceSum = 0;
        }
        if (s.raised == null) {
            if (qualifies && s.run >= settings.k()) {
                s.raised = s.fault;
                s.healthyRun = 0;
                raised.inc();
                out.collect(stamped(new Alert(p.time, p.machine, p.fleet, Alert.RAISED, s.fault,
                        (float) (s.confidenceSum / s.run), s.run, p.modelVersion), p));
            }
        } else {
            s.healthyRun = healthy ? s.healthyRun + 1 : 0;
            if (s.healthyRun >= settings.clearWindows()) {
                cleared.inc();
                out.collect(stamped(new Alert(p.time, p.machine, p.fleet, Alert.CLEARED, s.raised, p.confidence,
                        s.healthyRun, p.modelVersion), p));
                s.raised = null;
                s.healthyRun = 0;
            }
        }
        state.update(s);
    }

    /** The alert with the stage and decision-stage version of the prediction that decided it. */
    private static Alert stamped(Alert a, Prediction p) {
        a.stage = p.stage;
        a.decisionVersion = p.decisionVersion;
        return a;
    }
}
