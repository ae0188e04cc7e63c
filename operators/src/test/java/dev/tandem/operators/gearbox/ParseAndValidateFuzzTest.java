package dev.tandem.operators.gearbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.models.fuzz.FuzzBounds;
import dev.tandem.operators.common.EventTimeGate;
import dev.tandem.operators.common.FuzzRecords;
import dev.tandem.operators.common.RawRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the gearbox job's parse operator end to end (docs/FUZZING.md): every input is one Kafka value, given to a
 * {@link ParseAndValidate} reading JSON and to one reading binary windows, each running in Flink's operator test
 * harness with an event-time gate, as in the job. Properties: each value gives exactly one output per operator,
 * either a window that keeps every documented bound (identifiers, a positive time not after the wall clock by more
 * than the bound, a finite rate &gt; 0, 1–4 channels of one length in [8, 64] of finite samples, a known fleet and
 * label) or a dead letter with a bounded one-line reason, its source and its raw bytes escaped; nothing thrown.
 */
class ParseAndValidateFuzzTest {
    private static final List<String> FLEETS = List.of("demo", "fleet-2");
    private static final List<String> CLASSES = List.of("healthy", "broken");
    private static final int RAW_MAX = 64;
    private static final ValidationRules JSON_RULES = new ValidationRules(WindowFormat.JSON, 1, 4, 8, 64, FLEETS, CLASSES, RAW_MAX);
    private static final ValidationRules BINARY_RULES = new ValidationRules(WindowFormat.BINARY, 1, 4, 8, 64, FLEETS, CLASSES, RAW_MAX);
    private static final OneInputStreamOperatorTestHarness<RawRecord, VibrationWindow> JSON = harness(JSON_RULES);
    private static final OneInputStreamOperatorTestHarness<RawRecord, VibrationWindow> BINARY = harness(BINARY_RULES);
    private static long offset;

    private static OneInputStreamOperatorTestHarness<RawRecord, VibrationWindow> harness(ValidationRules rules) {
        try {
            // the gate of the gearbox job: one day ahead of the watermark, 1 s out-of-orderness, resync after 64
            return ProcessFunctionTestHarnesses.forProcessFunction(new ParseAndValidate(rules, FuzzRecords.LIMITS,
                    new EventTimeGate(1000, 86_401_000L, 64)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void everyValueIsOneValidWindowOrOneDeadLetter(byte[] data) throws Exception {
        check(JSON, JSON_RULES, data);
        check(BINARY, BINARY_RULES, data);
    }

    private static void check(OneInputStreamOperatorTestHarness<RawRecord, VibrationWindow> h, ValidationRules rules,
            byte[] data) throws Exception {
        RawRecord raw = new RawRecord("gearbox-windows", 3, ++offset, 1000L, null, data);
        h.processElement(new StreamRecord<>(raw));
        List<VibrationWindow> out = h.extractOutputValues();
        var dead = h.getSideOutput(ParseAndValidate.DEAD_LETTERS);
        int deadCount = dead == null ? 0 : dead.size();
        assertEquals(1, out.size() + deadCount, "one output per value");
        if (deadCount == 1) {
            FuzzRecords.assertDeadLetter(dead.poll().getValue(), raw, rules.rawMaxBytes());
        } else {
            assertValid(out.get(0), rules);
        }
        h.getOutput().clear();
    }

    private static void assertValid(VibrationWindow w, ValidationRules rules) {
        int maxId = FuzzRecords.LIMITS.maxIdLength();
        FuzzBounds.assertIdentifier("machine", w.machine, maxId);
        FuzzBounds.assertIdentifier("fleet", w.fleet, maxId);
        assertTrue(FLEETS.contains(w.fleet), "known fleet");
        assertTrue(w.label == null || CLASSES.contains(w.label), "known label");
        assertTrue(w.time > 0 && w.time <= System.currentTimeMillis() + FuzzRecords.LIMITS.maxClockAheadMs(), "time " + w.time);
        assertTrue(Double.isFinite(w.sampleRateHz) && w.sampleRateHz > 0, "rate " + w.sampleRateHz);
        assertTrue(w.channels.length >= rules.minChannels() && w.channels.length <= rules.maxChannels(), "channels");
        int n = w.channels[0].length;
        assertTrue(n >= rules.minLength() && n <= rules.maxLength(), "length " + n);
        for (float[] ch : w.channels) {
            assertEquals(n, ch.length, "channels of one length");
            for (float v : ch) {
                assertTrue(Float.isFinite(v), "finite samples");
            }
        }
    }

}
