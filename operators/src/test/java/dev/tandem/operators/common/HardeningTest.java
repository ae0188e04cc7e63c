package dev.tandem.operators.common;

import dev.tandem.operators.gearbox.ParseAndValidate;
import dev.tandem.operators.gearbox.TestWindows;
import dev.tandem.operators.gearbox.ValidationRules;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.VibrationWindowBinary;
import dev.tandem.operators.gearbox.WindowFormat;
import dev.tandem.operators.rain.ParseAndValidateWeather;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.operators.rain.WeatherRules;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The regression cases of the hardening issue on the parse operators: bounded, linear decoding (100,000 extra
 * fields, size, nesting, string and array bounds, binary shapes), duplicate keys, identifiers, far-future times,
 * tombstones apart from empty values, escaped raw bytes, and the event-time gate (future records, resync, restore).
 */
class HardeningTest {
    static final long T0 = 1_704_067_200_000L; // 2024-01-01T00:00Z
    static final long HOUR = 3_600_000L;
    static final WeatherRules WEATHER = new WeatherRules("r", null, 500, 64);
    static final ValidationRules WINDOWS = new ValidationRules(WindowFormat.JSON, 1, 4, 16, 4096, List.of(),
            List.of("healthy", "broken"), 64);

    static RawRecord raw(long offset, byte[] value) {
        return new RawRecord("weather-readings", 0, offset, 1000, null, value);
    }

    static RawRecord raw(long offset, String json) {
        return raw(offset, json.getBytes(StandardCharsets.UTF_8));
    }

    static String reading(long time, String station, String more) {
        return "{\"time\":" + time + ",\"station\":\"" + station + "\",\"lat\":-35,\"lon\":149,\"rain_mm\":1" + more + "}";
    }

    /** Runs the records through a parse function; returns the accepted ones and the dead letters. */
    static <T> Result<T> run(ParseFunction<T> fn, List<RawRecord> in) throws Exception {
        try (OneInputStreamOperatorTestHarness<RawRecord, T> h = ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
            for (RawRecord r : in) {
                h.processElement(new StreamRecord<>(r, r.timestamp));
            }
            var side = h.getSideOutput(ParseFunction.DEAD_LETTERS);
            return new Result<>(h.extractOutputValues(),
                    side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList());
        }
    }

    record Result<T>(List<T> ok, List<DeadLetter> dead) {
        List<String> reasons() {
            return dead.stream().map(d -> d.reason).toList();
        }
    }

    static String manyFields(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(",\"f").append(i).append("\":").append(i % 97);
        }
        return b.toString();
    }

    @Test
    void aReadingWithOneHundredThousandExtraFieldsIsRefusedAtOnceOrReadInLinearTime() throws Exception {
        byte[] big = reading(T0, "a", manyFields(100_000)).getBytes(StandardCharsets.UTF_8);
        assertTrue(big.length > 1_000_000, "1.1 MB as in the issue: " + big.length);
        long t = System.nanoTime();
        Result<WeatherReading> r = run(new ParseAndValidateWeather(WEATHER), List.of(raw(0, big)));
        assertEquals(List.of("limit: more than 1024 fields (records.max-fields)"), r.reasons());
        // with the field bound raised, the same record is read, all 100,000 extras kept, in linear time (was 13 s)
        RecordLimits wide = new RecordLimits(8 << 20, 200_000, 4096, 100, 16, 65536, 64, 86_400_000L);
        Result<WeatherReading> ok = run(new ParseAndValidateWeather(WEATHER, wide, null), List.of(raw(0, big)));
        assertEquals(List.of(), ok.reasons());
        WeatherReading w = ok.ok().get(0);
        assertEquals(100_000, w.extraNames.length);
        assertEquals("f99999", w.extraNames[99_999]);
        assertEquals(99_999 % 97, w.extraValues[99_999]);
        double seconds = (System.nanoTime() - t) / 1e9;
        // generous for a loaded CI machine: the quadratic path took 13-16 s for this record, the linear one 0.2-0.4 s
        assertTrue(seconds < 8, "both reads took " + seconds + " s");
    }

    @Test
    void everyBoundIsADeadLetterNamingItsKey() throws Exception {
        RecordLimits small = new RecordLimits(2000, 1024, 100, 20, 4, 50, 8, 86_400_000L);
        StringBuilder nested = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            nested.append('[');
        }
        nested.append("1");
        for (int i = 0; i < 6; i++) {
            nested.append(']');
        }
        StringBuilder array = new StringBuilder("[0");
        for (int i = 1; i < 60; i++) {
            array.append(",").append(i);
        }
        array.append("]");
        List<RawRecord> in = List.of(
                raw(0, reading(T0, "a", ",\"pad\":\"" + "x".repeat(2000) + "\"")),
                raw(1, reading(T0, "a", ",\"deep\":" + nested)),
                raw(2, reading(T0, "a", ",\"text\":\"" + "y".repeat(150) + "\"")),
                raw(3, reading(T0, "a", ",\"n\":1" + "0".repeat(30))),
                raw(4, reading(T0, "a", ",\"list\":" + array)),
                raw(5, reading(T0, "station-with-a-long-name", "")),
                raw(6, reading(T0, "a b", "")),
                raw(7, reading(T0, "a", ",\"soil mm\":3")),
                raw(8, reading(T0, "a", "")));
        Result<WeatherReading> r = run(new ParseAndValidateWeather(WEATHER, small, null), in);
        List<String> reasons = r.reasons();
        assertEquals(1, r.ok().size(), reasons.toString());
        assertEquals(8, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("too large: record of") && reasons.get(0).contains("records.max-bytes"), reasons.get(0));
        assertTrue(reasons.get(1).startsWith("limit: ") && reasons.get(1).contains("nesting depth"), reasons.get(1));
        assertEquals("limit: a string longer than 100 characters (records.max-string-length)", reasons.get(2));
        assertTrue(reasons.get(3).startsWith("limit: ") && reasons.get(3).contains("Number value length"), reasons.get(3));
        assertEquals("limit: an array longer than 50 (records.max-array-length)", reasons.get(4));
        assertTrue(reasons.get(5).startsWith("invalid station: 24 characters; allowed: at most 8"), reasons.get(5));
        assertTrue(reasons.get(6).startsWith("invalid station 'a b': character 2 is not allowed"), reasons.get(6));
        assertTrue(reasons.get(7).startsWith("invalid feature name 'soil mm'"), reasons.get(7));
    }

    @Test
    void duplicateKeysAreRefusedIncludingTheLabel() throws Exception {
        Result<WeatherReading> w = run(new ParseAndValidateWeather(WEATHER),
                List.of(raw(0, reading(T0, "a", ",\"rain_mm\":2"))));
        assertEquals(List.of(), w.ok());
        assertTrue(w.reasons().get(0).startsWith("duplicate key: Duplicate field 'rain_mm'"), w.reasons().toString());
        VibrationWindow good = TestWindows.window(T0, "m1", "f", "healthy", "healthy", 1, 16, 1);
        String json = new String(Json.write(good), StandardCharsets.UTF_8);
        String twoLabels = json.substring(0, json.length() - 1) + ",\"label\":\"broken\"}";
        Result<VibrationWindow> g = run(new ParseAndValidate(WINDOWS), List.of(raw(0, Json.write(good)),
                raw(1, twoLabels.getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of(good), g.ok());
        assertTrue(g.reasons().get(0).startsWith("duplicate key: Duplicate field 'label'"), g.reasons().toString());
    }

    @Test
    void farFutureTimesAreDeadLetters() throws Exception {
        long year3000 = 32_503_680_000_000L;
        Result<WeatherReading> w = run(new ParseAndValidateWeather(WEATHER), List.of(raw(0, reading(year3000, "a", ""))));
        assertEquals(List.of(), w.ok());
        assertTrue(w.reasons().get(0).startsWith("future: time " + year3000) && w.reasons().get(0)
                .contains("records.max-clock-ahead-ms"), w.reasons().get(0));
        long year99999 = 3_093_496_473_600_000L;
        VibrationWindow far = TestWindows.window(year99999, "m1", "f", "healthy", "healthy", 1, 16, 1);
        Result<VibrationWindow> g = run(new ParseAndValidate(WINDOWS), List.of(raw(0, Json.write(far))));
        assertEquals(List.of(), g.ok());
        assertTrue(g.reasons().get(0).startsWith("future: time " + year99999), g.reasons().get(0));
    }

    @Test
    void tombstonesEmptyValuesAndBinaryGarbageAreToldApart() throws Exception {
        List<RawRecord> in = List.of(raw(0, (byte[]) null), raw(1, new byte[0]),
                raw(2, new byte[] {'{', 0, (byte) 0xff, 'x', '\\'}));
        Result<WeatherReading> w = run(new ParseAndValidateWeather(WEATHER), in);
        assertEquals(DeadLetter.TOMBSTONE, w.reasons().get(0));
        assertEquals(DeadLetter.EMPTY, w.reasons().get(1));
        assertTrue(w.reasons().get(2).startsWith("unparseable json"), w.reasons().get(2));
        assertEquals("{\\x00\\xffx\\\\", w.dead().get(2).raw, "raw bytes escaped, not garbled");
        Result<VibrationWindow> g = run(new ParseAndValidate(WINDOWS), in);
        assertEquals(List.of(DeadLetter.TOMBSTONE, DeadLetter.EMPTY), g.reasons().subList(0, 2));
        assertEquals("é€😀 ok\n", DeadLetter.truncate("é€😀 ok\n".getBytes(StandardCharsets.UTF_8), 100),
                "valid UTF-8 stays text");
        assertEquals("ab…(5 bytes)", DeadLetter.truncate("abcde".getBytes(StandardCharsets.UTF_8), 2));
        assertEquals("\\xc3", DeadLetter.truncate("é".getBytes(StandardCharsets.UTF_8), 1).substring(0, 4),
                "a character cut by the length bound is escaped");
    }

    @Test
    void binaryWindowsDeclaringHugeShapesAreRefusedBeforeAllocation() throws Exception {
        ValidationRules binary = new ValidationRules(WindowFormat.BINARY, 1, 4, 16, 4096, List.of(),
                List.of("healthy", "broken"), 64);
        byte[] ok = VibrationWindowBinary.encode(TestWindows.window(T0, "m1", "f", "healthy", null, 2, 16, 1));
        byte[] huge = ok.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(22, 1_000_000_000);
        byte[] wide = ok.clone();
        ByteBuffer.wrap(wide).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 60000);
        Result<VibrationWindow> r = run(new ParseAndValidate(binary), List.of(raw(0, ok), raw(1, huge), raw(2, wide)));
        assertEquals(1, r.ok().size());
        assertTrue(r.reasons().get(0).startsWith("limit: binary window declares 1000000000 samples"), r.reasons().get(0));
        assertTrue(r.reasons().get(1).startsWith("limit: binary window declares 60000 channels"), r.reasons().get(1));
    }

    @Test
    void theGateRefusesFutureRecordsResynchronisesOnAJumpAndSurvivesARestore() throws Exception {
        EventTimeGate gate = new EventTimeGate(0, 2 * HOUR, 3);
        List<RawRecord> in = new ArrayList<>();
        in.add(raw(0, reading(T0, "a", "")));
        in.add(raw(1, reading(T0 + HOUR, "a", "")));
        in.add(raw(2, reading(T0 + 100 * HOUR, "garbage", ""))); // future
        in.add(raw(3, reading(T0 + 2 * HOUR, "a", "")));         // the stream goes on
        in.add(raw(4, reading(T0 + 3 * HOUR, "a", "")));
        // a real jump (a hole in the data): three agreeing future records, the third is taken as the new time
        in.add(raw(5, reading(T0 + 50 * HOUR, "a", "")));
        in.add(raw(6, reading(T0 + 50 * HOUR, "b", "")));
        in.add(raw(7, reading(T0 + 51 * HOUR, "a", "")));
        in.add(raw(8, reading(T0 + 51 * HOUR, "b", "")));
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<RawRecord, WeatherReading> h = ProcessFunctionTestHarnesses
                .forProcessFunction(new ParseAndValidateWeather(WEATHER, RecordLimits.DEFAULTS, gate))) {
            for (RawRecord r : in) {
                h.processElement(new StreamRecord<>(r, r.timestamp));
            }
            List<Long> times = h.extractOutputValues().stream().map(w -> w.time).toList();
            assertEquals(List.of(T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR, T0 + 51 * HOUR, T0 + 51 * HOUR), times);
            List<DeadLetter> dead = h.getSideOutput(ParseFunction.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertEquals(List.of(2L, 5L, 6L), dead.stream().map(d -> d.offset).toList());
            assertTrue(dead.get(0).reason.startsWith("future: time " + (T0 + 100 * HOUR) + " is "), dead.get(0).reason);
            assertTrue(dead.get(0).reason.endsWith("allowed: at most 7200000 (job.max-ahead-ms)"), dead.get(0).reason);
            snapshot = h.snapshot(1, 1);
        }
        // restored, the gate still knows the stream's time: a record far ahead of it is refused at once
        try (OneInputStreamOperatorTestHarness<RawRecord, WeatherReading> h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new ParseAndValidateWeather(WEATHER, RecordLimits.DEFAULTS, new EventTimeGate(0, 2 * HOUR, 3))))) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(raw(9, reading(T0 + 200 * HOUR, "a", "")), 0));
            h.processElement(new StreamRecord<>(raw(10, reading(T0 + 52 * HOUR, "a", "")), 0));
            assertEquals(List.of(T0 + 52 * HOUR), h.extractOutputValues().stream().map(w -> w.time).toList());
            assertEquals(1, h.getSideOutput(ParseFunction.DEAD_LETTERS).size());
        }
    }

    @Test
    void theGateWithABehindBoundRefusesFarPastRecordsAndResynchronisesOnAReplayFromEarlier() throws Exception {
        EventTimeGate gate = new EventTimeGate(0, 2 * HOUR, 3, 2 * HOUR);
        List<RawRecord> in = new ArrayList<>();
        in.add(raw(0, reading(T0, "a", "")));
        in.add(raw(1, reading(T0 + 2 * HOUR, "a", "")));
        in.add(raw(2, reading(1000, "epoch", "")));               // 1970: past
        in.add(raw(3, reading(T0 + HOUR, "a", "")));             // behind, within the bound
        // a replay from earlier: three agreeing past records, the third is where the gate starts over
        in.add(raw(4, reading(T0 - 50 * HOUR, "a", "")));
        in.add(raw(5, reading(T0 - 50 * HOUR, "b", "")));
        in.add(raw(6, reading(T0 - 49 * HOUR, "a", "")));
        in.add(raw(7, reading(T0 - 48 * HOUR, "a", "")));        // within max-ahead of the new time
        try (OneInputStreamOperatorTestHarness<RawRecord, WeatherReading> h = ProcessFunctionTestHarnesses
                .forProcessFunction(new ParseAndValidateWeather(WEATHER, RecordLimits.DEFAULTS, gate))) {
            for (RawRecord r : in) {
                h.processElement(new StreamRecord<>(r, r.timestamp));
            }
            List<Long> times = h.extractOutputValues().stream().map(w -> w.time).toList();
            assertEquals(List.of(T0, T0 + 2 * HOUR, T0 + HOUR, T0 - 49 * HOUR, T0 - 48 * HOUR), times);
            List<DeadLetter> dead = h.getSideOutput(ParseFunction.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertEquals(List.of(2L, 4L, 5L), dead.stream().map(d -> d.offset).toList());
            assertTrue(dead.get(0).reason.startsWith("past: time 1000 is " + (T0 + 2 * HOUR - 1000) + " ms behind the watermark "),
                    dead.get(0).reason);
            assertTrue(dead.get(0).reason.endsWith("allowed: at most 7200000 (job.max-behind-ms)"), dead.get(0).reason);
        }
        // without a behind bound (the rainfall job's default) records behind the watermark all pass the gate
        EventTimeGate open = new EventTimeGate(0, 2 * HOUR, 3);
        assertEquals(null, open.admit(T0));
        assertEquals(null, open.admit(1000));
    }
}
