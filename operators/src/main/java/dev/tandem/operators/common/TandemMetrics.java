package dev.tandem.operators.common;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The metrics a cluster operator watches, in one sub-group {@code tandem} of each Tandem operator's metric group
 * (REST: {@code /jobs/:id/vertices/:vid/metrics?get=<subtask>.<operator>.tandem.<name>}; docs/DEPLOY.md, "Metrics"):
 * {@code trainingSteps} (counter) and {@code trainingStepsPerSecond} (a meter over it), {@code loss},
 * {@code modelVersion} and the prequential score ({@code prequentialAccuracy} or {@code prequentialMse}) of the key
 * seen last, and {@link DeadLetterCounters dead letters by reason}. Records in and out are Flink's own
 * ({@code numRecordsIn}, {@code numRecordsOut}).
 */
public final class TandemMetrics {
    public static final String GROUP = "tandem";
    /** Seconds the steps-per-second meter averages over (a multiple of Flink's 5-s view update interval). */
    public static final int RATE_SPAN_SECONDS = 10;
    private final Counter trainingSteps;

    private TandemMetrics(Counter trainingSteps) {
        this.trainingSteps = trainingSteps;
    }

    /** The {@code tandem} sub-group of an operator's metric group. */
    public static MetricGroup group(MetricGroup operatorGroup) {
        return operatorGroup.addGroup(GROUP);
    }

    /**
     * A trainer's metrics: steps (counter + meter), loss, model version and its prequential score under
     * {@code scoreName}.
     */
    public static TandemMetrics trainer(MetricGroup operatorGroup, DoubleSupplier loss, LongSupplier modelVersion,
                                        String scoreName, DoubleSupplier score) {
        MetricGroup g = group(operatorGroup);
        Counter steps = g.counter("trainingSteps");
        g.meter("trainingStepsPerSecond", new MeterView(steps, RATE_SPAN_SECONDS));
        g.gauge("loss", () -> loss.getAsDouble());
        g.gauge("modelVersion", () -> modelVersion.getAsLong());
        g.gauge(scoreName, () -> score.getAsDouble());
        return new TandemMetrics(steps);
    }

    public void steps(long n) {
        if (n > 0) {
            trainingSteps.inc(n);
        }
    }
}
