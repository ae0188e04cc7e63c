package dev.tandem.operators.gearbox;

import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.common.RawRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParseAndValidateTest {
    private static final ValidationRules RULES = new ValidationRules(WindowFormat.JSON, 1, 4, 16, 4096,
            List.of("demo"), List.of("healthy", "broken"), 64);

    private static RawRecord raw(long offset, byte[] value) {
        return new RawRecord("gearbox-windows", 0, offset, 1000L, null, value);
    }

    private static VibrationWindow good() {
        return TestWindows.window(1000L, "m1", "demo", "healthy", "healthy", 2, 64, 1);
    }

    @Test
    void goodWindowsPassAndEveryBadOneIsADeadLetterWithItsReason() throws Exception {
        ParseAndValidate fn = new ParseAndValidate(RULES);
        try (OneInputStreamOperatorTestHarness<RawRecord, VibrationWindow> h = ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
            VibrationWindow nan = good();
            nan.channels[1][5] = Float.NaN;
            VibrationWindow fleet = good();
            fleet.fleet = "other";
            VibrationWindow rate = good();
            rate.sampleRateHz = 0;
            VibrationWindow wide = TestWindows.window(1000L, "m1", "demo", "healthy", null, 5, 64, 1);
            VibrationWindow shortW = TestWindows.window(1000L, "m1", "demo", "healthy", null, 2, 8, 1);
            VibrationWindow label = good();
            label.label = "cracked";
            VibrationWindow ragged = good();
            ragged.channels[1] = new float[10];
            List<byte[]> bad = List.of(
                    "not json".getBytes(StandardCharsets.UTF_8),
                    new byte[0],
                    VibrationWindowBinary.encode(nan), // binary on a JSON topic
                    Json.write(fleet), Json.write(rate), Json.write(wide), Json.write(shortW), Json.write(label),
                    Json.write(ragged),
                    "{\"time\":1,\"machine\":\"m\",\"fleet\":\"demo\",\"sample_rate_hz\":1,\"channels\":[[1,\"x\"]]}"
                            .getBytes(StandardCharsets.UTF_8));
            h.processElement(new StreamRecord<>(raw(0, Json.write(good()))));
            for (int i = 0; i < bad.size(); i++) {
                h.processElement(new StreamRecord<>(raw(i + 1, bad.get(i))));
            }
            h.processElement(new StreamRecord<>(raw(99, Json.write(good()))));
            assertEquals(List.of(good(), good()), h.extractOutputValues());
            List<DeadLetter> dead = h.getSideOutput(ParseAndValidate.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertEquals(bad.size(), dead.size());
            List<String> reasons = dead.stream().map(d -> d.reason).toList();
            assertTrue(reasons.get(0).startsWith("unparseable json"), reasons.get(0));
            assertTrue(reasons.get(3).contains("unknown fleet 'other'"), reasons.get(3));
            assertTrue(reasons.get(4).contains("sample_rate_hz"), reasons.get(4));
            // refused while decoding, before the fifth channel is read
            assertEquals("limit: channel list longer than 4 (gearbox.channels.max)", reasons.get(5));
            assertTrue(reasons.get(6).contains("window length 8 outside [16, 4096]"), reasons.get(6));
            assertTrue(reasons.get(7).contains("unknown label 'cracked'"), reasons.get(7));
            assertTrue(reasons.get(8).contains("channel 1 has 10 samples"), reasons.get(8));
            assertEquals("gearbox-windows", dead.get(3).topic);
            assertEquals(4, dead.get(3).offset);
            assertTrue(dead.get(3).raw.length() <= 64 + 20, "raw is truncated");
        }
    }

    @Test
    void binaryTopicChecksNonFiniteSamples() throws Exception {
        ValidationRules binary = new ValidationRules(WindowFormat.BINARY, 1, 4, 16, 4096, List.of(), List.of("healthy", "broken"), 64);
        try (OneInputStreamOperatorTestHarness<RawRecord, VibrationWindow> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(new ParseAndValidate(binary))) {
            VibrationWindow nan = good();
            nan.channels[1][5] = Float.POSITIVE_INFINITY;
            h.processElement(new StreamRecord<>(raw(0, VibrationWindowBinary.encode(nan))));
            h.processElement(new StreamRecord<>(raw(1, VibrationWindowBinary.encode(good()))));
            h.processElement(new StreamRecord<>(raw(2, Json.write(good()))));
            assertEquals(List.of(good()), h.extractOutputValues());
            List<DeadLetter> dead = h.getSideOutput(ParseAndValidate.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertTrue(dead.get(0).reason.contains("non-finite sample Infinity at channel 1 index 5"), dead.get(0).reason);
            assertTrue(dead.get(1).reason.contains("magic"), dead.get(1).reason);
        }
    }
}
