package dev.tandem.operators.rain;

import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.Rasterizer;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

class RasterizerFunctionTest {
    static final long LATENESS = 10 * 60_000L;
    static final RasterSettings SETTINGS = new RasterSettings("r", "1h", LATENESS, null, 0, 16, List.of(), 2, 3);

    static KeyedOneInputStreamOperatorTestHarness<String, WeatherReading, RainFrame> harness(RasterSettings s) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new RasterizerFunction(s)),
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
}
