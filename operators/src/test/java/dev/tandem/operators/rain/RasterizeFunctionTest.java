package dev.tandem.operators.rain;

import dev.tandem.learning.data.WeatherCsv;
import dev.tandem.learning.rain.Frame;
import dev.tandem.learning.rain.Grid;
import dev.tandem.learning.rain.Rasterizer;
import dev.tandem.learning.rain.TimeStep;
import dev.tandem.operators.records.DeadLetter;
import dev.tandem.operators.records.RainFrame;
import dev.tandem.operators.records.WeatherReading;
import dev.tandem.operators.validate.ParseAndValidate;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keyed event-time rasterizer in Flink's operator harness: on-time frames, late updates, late dead letters. */
class RasterizeFunctionTest {
    static final long DAY = TimeStep.DAY;
    static final Grid GRID = new Grid(1, 2, 0, 0, 1, 1);
    static final List<String> FEATURES = List.of("rain_mm", "temp_c");

    static WeatherReading reading(String station, double lon, long time, double rain, double temp) {
        WeatherReading r = new WeatherReading();
        r.time = time;
        r.station = station;
        r.lat = 0;
        r.lon = lon;
        r.rainMm = rain;
        r.tempC = temp;
        return r;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, WeatherReading, RainFrame> harness() throws Exception {
        RasterizeFunction fn = new RasterizeFunction(GRID, FEATURES, TimeStep.DAILY, Rasterizer.Settings.DEFAULT, DAY,
                1024);
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), r -> "region-1", Types.STRING);
    }

    static void feed(KeyedOneInputStreamOperatorTestHarness<String, WeatherReading, RainFrame> h, WeatherReading r)
            throws Exception {
        h.processElement(new StreamRecord<>(r, r.time));
    }

    @Test
    void frameAndReadingArePojos() {
        assertTrue(org.apache.flink.api.common.typeinfo.TypeInformation.of(RainFrame.class)
                instanceof org.apache.flink.api.java.typeutils.PojoTypeInfo, "RainFrame must be a Flink POJO");
    }

    @Test
    void framesOnTimeUpdatedByLateReadingsAndTooLateOnesAreDeadLetters() throws Exception {
        WeatherReading a0 = reading("A", 0, 9 * 3_600_000L, 2, 20);
        WeatherReading b0 = reading("B", 1, 10 * 3_600_000L, 4, 30);
        WeatherReading a1 = reading("A", 0, DAY + 3_600_000L, 0, 25);
        WeatherReading tooLate = reading("B", 1, 11 * 3_600_000L, 9, 10);
        OperatorSubtaskState snapshot;
        List<WeatherCsv.Reading> accepted = new ArrayList<>();
        try (var h = harness()) {
            h.open();
            feed(h, a0);
            accepted.add(WeatherFeatures.of(a0, FEATURES));
            assertEquals(List.of(), h.extractOutputValues(), "nothing before the watermark passes the step");
            h.processWatermark(DAY - 1);
            List<RainFrame> out = h.extractOutputValues();
            assertEquals(1, out.size());
            RainFrame f0 = out.get(0);
            assertEquals("region-1", f0.region);
            assertEquals(0, f0.step);
            assertEquals(0, f0.revision);
            assertEquals(1, f0.readings);
            assertArrayEquals(new float[] {2, 0}, f0.rainMm);
            assertArrayEquals(new float[] {1, 0}, f0.rainMask);

            // B's day-0 reading arrives late but within the allowed lateness (1 day): the frame is emitted again
            feed(h, b0);
            accepted.add(WeatherFeatures.of(b0, FEATURES));
            out = h.extractOutputValues();
            assertEquals(2, out.size());
            RainFrame f0b = out.get(1);
            assertEquals(1, f0b.revision);
            assertEquals(2, f0b.readings);
            assertArrayEquals(new float[] {2, 4}, f0b.rainMm);
            assertArrayEquals(new float[] {1, 1}, f0b.rainMask);

            feed(h, a1);
            accepted.add(WeatherFeatures.of(a1, FEATURES));
            h.processWatermark(2 * DAY - 1); // day 1 ends; day 0's lateness ends
            out = h.extractOutputValues();
            assertEquals(3, out.size());
            assertEquals(1, out.get(2).step);

            feed(h, tooLate); // day 0 is closed for good
            assertEquals(3, h.extractOutputValues().size());
            List<DeadLetter> dead = h.getSideOutput(ParseAndValidate.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertEquals(1, dead.size());
            assertTrue(dead.get(0).reason.startsWith("late: reading at " + tooLate.time + " for step 0"), dead.get(0).reason);
            assertTrue(dead.get(0).raw.contains("\"station\":\"B\""), dead.get(0).raw);
            snapshot = h.snapshot(1, 2 * DAY);
        }
        // restored from the checkpoint, the normalisation state continues: day 2's frame equals the pure rasterizer's
        WeatherReading b2 = reading("B", 1, 2 * DAY + 3_600_000L, 1, 15);
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, b2);
            accepted.add(WeatherFeatures.of(b2, FEATURES));
            h.processWatermark(3 * DAY - 1);
            List<RainFrame> out = h.extractOutputValues();
            assertEquals(1, out.size());
            Rasterizer pure = new Rasterizer(GRID, FEATURES, Rasterizer.Settings.DEFAULT);
            pure.observe(accepted); // the too-late reading never reached the normaliser
            Frame expected = pure.rasterize(2, List.of(WeatherFeatures.of(b2, FEATURES)));
            Frame got = out.get(0).toFrame();
            assertArrayEquals(expected.values(), got.values());
            assertArrayEquals(expected.masks(), got.masks());
            assertArrayEquals(expected.coverage(), got.coverage());
            assertEquals(4, pure.normaliser().count(0));
        }
    }
}
