package dev.tandem.operators.rain;

import dev.tandem.learning.optim.GradientClipping;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.models.rain.RegionSettings;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.MetricCapture;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Numerical faults past validation on the region trainer's harness: counted, reported after K in a row, job goes on. */
class RegionTrainerNumericalFaultsTest {
    static final int K = 2;
    static final RegionSettings SETTINGS = RegionTrainerFunctionTest.SETTINGS
            .withGuard(new TrainingGuard(GradientClipping.OFF, K));

    @Test
    void framesWithNonFiniteValuesAreSkippedCountedAndReportedWithoutStoppingTheJob() throws Exception {
        List<RainFrame> fs = RegionTrainerFunctionTest.frames(12);
        // frames 4 and 5 are in the windows learned at frames 5, 6 and 7 (T = 2, horizon 1): three refused in a row
        fs.get(4).values[0] = Float.NaN;
        fs.get(5).values[1] = Float.POSITIVE_INFINITY;
        MetricCapture metrics = new MetricCapture();
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new RegionTrainerFunction(SETTINGS)),
                (RainFrame f) -> f.region, Types.STRING, metrics.environment());
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, getClass().getClassLoader());
        try (h) {
            h.open();
            List<Forecast> out = RegionTrainerFunctionTest.feed(h, fs);
            assertEquals(fs.size() - RegionTrainerFunctionTest.T + 1, out.size(), "a forecast for every frame still");
            assertEquals(3, metrics.counter("skippedUpdates"));
            List<DeadLetter> dead = h.getSideOutput(RegionTrainerFunction.MISFITS).stream().map(r -> r.getValue()).toList();
            assertEquals(1, dead.size(), "reported at the K-th in a row, not again at the third");
            assertTrue(dead.get(0).reason.startsWith("numerical: non-finite input: 2 consecutive skipped updates of region 'r' (2 in all)"),
                    dead.get(0).reason);
            long version = out.get(out.size() - 1).modelVersion;
            assertEquals(fs.size() - RegionTrainerFunctionTest.T - 3, version, "every frame without a poisoned window trained");
            assertEquals(version, metrics.counter("trainingSteps"));
        }
    }
}
