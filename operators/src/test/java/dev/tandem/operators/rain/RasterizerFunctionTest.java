package dev.tandem.operators.rain;

import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.Rasterizer;
import dev.tandem.models.rain.StepCheck;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.operators.common.DeadLetter;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tandem.operators.rain.RainTestData.HOUR;
import static dev.tandem.operators.rain.RainTestData.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RasterizerFunctionTest {
    static final long LATENESS = 10 * 60_000L;
    static final RasterSettings SETTINGS = new RasterSettings("r", "1h", LATENESS, null, 0, 16, List.of(), 2, 3);

    static KeyedOneInputStreamOperatorTestHarness<String, WeatherReading, RainFrame> harness(RasterSettings s) throws Exception {
        return harness(new RasterizerFunction(s));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, WeatherReading, RainFrame> harness(RasterizerFunction fn)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                (WeatherReading r) -> "r", Types.STRING);
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, RasterizerFunctionTest.class.getClassLoader());
        return h;
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<String, WeatherReading, RainFrame> h, List<WeatherReading> rs)
            throws Exception {
        for (WeatherReading r : rs) {
            h.processElement(new StreamRecord<>(r, r.time));
        }
    }

    @Test
    void aStepIsEmittedWhenTheWatermarkPassesItsEndPlusLatenessAndLateReadingsAreDeadLetters() throws Exception {
        try (var h = harness(SETTINGS)) {
            h.open();
            List<WeatherReading> step0 = RainTestData.step(0, 0);
            send(h, step0.subList(0, 8));
            h.processWatermark(T0 + HOUR + 60_000); // past the end, within the lateness: nothing yet
            assertEquals(0, h.extractOutputValues().size());
            send(h, step0.subList(8, 9)); // late, but within the allowed lateness: goes into the frame
            send(h, RainTestData.step(1, 5_000));
            h.processWatermark(T0 + HOUR + LATENESS - 1); // closes step 0
            List<RainFrame> out = h.extractOutputValues();
            assertEquals(1, out.size());
            RainFrame f = out.get(0);
            assertEquals(0, f.step - T0 / HOUR);
            assertEquals(T0, f.start);
            assertEquals(T0 + HOUR, f.end);
            assertEquals(9, f.readings);
            assertEquals(9, f.stations.length);
            assertEquals(List.of("rain_mm", "humidity_pct", "pressure_hpa"), List.of(f.features),
                    "rain plus the standard fields present");
            // the grid comes from the stations: a 0.5 degree lattice, one station per cell
            Grid g = f.grid();
            assertEquals(9, g.distinctCells(f.stationLat, f.stationLon));
            // the frame is what the pure rasterizer makes of the same readings
            Rasterizer pure = new Rasterizer(g, List.of(f.features), SETTINGS.idw());
            List<WeatherCsv.Reading> rows = new ArrayList<>();
            for (WeatherReading r : step0) {
                rows.add(WeatherFeatures.toReading(r, List.of(f.features)));
            }
            pure.observe(rows);
            Frame expected = pure.rasterize(f.step, rows);
            assertArrayEquals(expected.values(), f.values);
            assertArrayEquals(expected.masks(), f.masks);
            assertArrayEquals(expected.rainMm(), f.rainMm);
            for (int i = 0; i < 9; i++) {
                assertEquals((float) step0.get(i).rainMm, f.stationRain[i]);
            }
            // a reading of step 0 now is too late
            send(h, List.of(RainTestData.reading(T0 + 1000, "s00", -36, 148, 1)));
            List<DeadLetter> late = h.getSideOutput(RasterizerFunction.LATE).stream().map(StreamRecord::getValue).toList();
            assertEquals(1, late.size());
            assertTrue(late.get(0).reason.startsWith("late: reading of step"), late.get(0).reason);
            assertEquals("rasterizer", late.get(0).topic);
            // a reading from a topic: its late dead letter points at the record (topic, partition, offset)
            WeatherReading fromTopic = RainTestData.reading(T0 + 2000, "s01", -36, 148, 1);
            fromTopic.sourceTopic = "weather-readings";
            fromTopic.sourcePartition = 3;
            fromTopic.sourceOffset = 1234;
            send(h, List.of(fromTopic));
            DeadLetter second = h.getSideOutput(RasterizerFunction.LATE).stream().map(StreamRecord::getValue).toList().get(1);
            assertEquals("weather-readings", second.topic);
            assertEquals(3, second.partition);
            assertEquals(1234, second.offset);
            assertTrue(second.reason.startsWith("late: reading of step"), second.reason);
            h.processWatermark(T0 + 2 * HOUR + LATENESS);
            assertEquals(2, h.extractOutputValues().size());
        }
    }

    @Test
    void missingValuesAreMaskedNotZero() throws Exception {
        try (var h = harness(SETTINGS)) {
            h.open();
            List<WeatherReading> step = RainTestData.step(0, 0);
            step.get(4).rainMm = Double.NaN; // the centre station has no rain value
            send(h, step);
            h.processWatermark(T0 + HOUR + LATENESS);
            RainFrame f = h.extractOutputValues().get(0);
            int centre = f.grid().cellOf(step.get(4).lat, step.get(4).lon);
            assertEquals(0f, f.rainMask[centre], "no observed rain in the centre cell");
            assertTrue(Float.isNaN(f.stationRain[4]));
            assertEquals(1f, f.masks[centre], "rain feature interpolated from the neighbours (IDW)");
        }
    }

    @Test
    void gridAndNormaliserSurviveASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        List<RainFrame> uninterrupted;
        try (var h = harness(SETTINGS)) {
            h.open();
            for (int s = 0; s < 4; s++) {
                send(h, RainTestData.step(s, 0));
                h.processWatermark(T0 + (s + 1) * HOUR + LATENESS);
            }
            uninterrupted = h.extractOutputValues();
        }
        List<RainFrame> resumed = new ArrayList<>();
        try (var h = harness(SETTINGS)) {
            h.open();
            for (int s = 0; s < 2; s++) {
                send(h, RainTestData.step(s, 0));
                h.processWatermark(T0 + (s + 1) * HOUR + LATENESS);
            }
            send(h, RainTestData.step(2, 0)); // buffered, not yet emitted
            resumed.addAll(h.extractOutputValues());
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(SETTINGS)) {
            h.initializeState(snapshot);
            h.open();
            h.processWatermark(T0 + 3 * HOUR + LATENESS);
            send(h, RainTestData.step(3, 0));
            h.processWatermark(T0 + 4 * HOUR + LATENESS);
            resumed.addAll(h.extractOutputValues());
        }
        assertEquals(uninterrupted, resumed);
    }

    @Test
    void aConfiguredBoundingBoxFixesTheGrid() throws Exception {
        RasterSettings s = new RasterSettings("r", "1h", 0, new double[] {-37, -35, 147, 150}, 0.25, 16,
                List.of("rain_mm", "temp_c"), 2, 3);
        try (var h = harness(s)) {
            h.open();
            send(h, RainTestData.step(0, 0));
            h.processWatermark(T0 + HOUR);
            RainFrame f = h.extractOutputValues().get(0);
            assertEquals(Grid.covering(-37, -35, 147, 150, 0.25), f.grid());
            assertEquals(List.of("rain_mm", "temp_c"), List.of(f.features));
            int cells = f.rows * f.cols;
            for (int k = 0; k < cells; k++) {
                assertEquals(0f, f.masks[cells + k], "temp_c is absent from every reading: masked everywhere");
            }
        }
    }

    /** Readings of the 9 test stations at the start of each of {@code months} calendar months from T0. */
    static List<WeatherReading> monthly(int months) {
        List<WeatherReading> out = new ArrayList<>();
        long first = TimeStep.MONTHLY.index(T0);
        for (int m = 0; m < months; m++) {
            for (WeatherReading r : RainTestData.step(0, 0)) {
                r.time = TimeStep.MONTHLY.start(first + m) + 9 * HOUR;
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void monthlyReadingsWithADailyStepGetOneWarningNamingKeyValueAndInferredStep() throws Exception {
        RasterSettings daily = new RasterSettings("r", "daily", 0, null, 0, 16, List.of(), 2, 3);
        RasterizerFunction fn = new RasterizerFunction(daily);
        try (var h = harness(fn)) {
            h.open();
            List<WeatherReading> rs = monthly(4); // 9 stations x 3 spacings of a month
            send(h, rs.subList(0, 9 + 9 + 1)); // the first month, the second (9 spacings), one more: 10 spacings
            StepCheck check = fn.stepCheck("r");
            assertFalse(check.decided());
            send(h, rs.subList(19, rs.size()));
            assertTrue(check.decided(), "20 spacings seen");
            assertEquals(TimeStep.MONTHLY, check.inferred());
            assertTrue(check.mismatch());
            String w = check.warning("r");
            assertTrue(w.contains("region 'r'") && w.contains("rainfall.step is daily") && w.contains("every monthly")
                    && w.contains("rainfall.step=monthly") && w.contains("never scored"), w);
            assertFalse(check.add("s00", T0 + 400 * 24 * HOUR), "warned once");
        }
    }

    @Test
    void readingsAtTheConfiguredStepGetNoWarning() throws Exception {
        RasterizerFunction hourly = new RasterizerFunction(SETTINGS); // 1h
        try (var h = harness(hourly)) {
            h.open();
            for (int t = 0; t < 4; t++) {
                send(h, RainTestData.step(t, 60_000L * t)); // a minute of jitter a step
            }
            StepCheck check = hourly.stepCheck("r");
            assertTrue(check.decided());
            assertEquals(new TimeStep(61 * 60_000L, false), check.inferred(), "the most common spacing: 61 minutes");
            assertFalse(check.mismatch(), "61 min against 1 h is within 1.5 x");
            assertNull(check.warning("r"));
        }
        RasterizerFunction daily = new RasterizerFunction(new RasterSettings("r", "1d", 0, null, 0, 16, List.of(), 2, 3));
        try (var h = harness(daily)) {
            h.open();
            for (int t = 0; t < 4; t++) {
                send(h, RainTestData.step(24 * t, 0));
            }
            assertTrue(daily.stepCheck("r").decided());
            assertFalse(daily.stepCheck("r").mismatch());
        }
    }

    @Test
    void hourlyReadingsWithADailyStepAreWarnedAsCombined() throws Exception {
        RasterizerFunction fn = new RasterizerFunction(new RasterSettings("r", "daily", 0, null, 0, 16, List.of(), 2, 3));
        try (var h = harness(fn)) {
            h.open();
            for (int t = 0; t < 4; t++) {
                send(h, RainTestData.step(t, 0));
            }
            StepCheck check = fn.stepCheck("r");
            assertEquals(TimeStep.HOURLY, check.inferred());
            assertTrue(check.warning("r").contains("each frame combines about 24 readings a station"), check.warning("r"));
        }
    }
}
