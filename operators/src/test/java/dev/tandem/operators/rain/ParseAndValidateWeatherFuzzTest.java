package dev.tandem.operators.rain;

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
 * Fuzzes the rainfall job's parse operator end to end (docs/FUZZING.md): every input is one Kafka value, given to
 * {@link ParseAndValidateWeather} in Flink's operator test harness with an event-time gate, as in the job.
 * Properties: each value gives exactly one output, either a reading that keeps every documented bound (station and
 * feature names identifiers, a positive time not after the wall clock by more than the bound, lat/lon inside the
 * region's box, rain missing or in [0, max], finite optional and extra features, its source noted) or a dead letter
 * with a bounded one-line reason, its source and its raw bytes escaped; nothing thrown.
 */
class ParseAndValidateWeatherFuzzTest {
    private static final double[] BBOX = {-44, -10, 112, 154};
    private static final WeatherRules RULES = new WeatherRules("aus", BBOX, 500, 64);
    private static final OneInputStreamOperatorTestHarness<RawRecord, WeatherReading> H = harness();
    private static long offset;

    private static OneInputStreamOperatorTestHarness<RawRecord, WeatherReading> harness() {
        try {
            // the gate of a daily rainfall job: two steps ahead of the watermark plus the out-of-orderness
            return ProcessFunctionTestHarnesses.forProcessFunction(new ParseAndValidateWeather(RULES, FuzzRecords.LIMITS,
                    new EventTimeGate(3_600_000L, 2 * 86_400_000L + 3_600_000L, 64)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void everyValueIsOneValidReadingOrOneDeadLetter(byte[] data) throws Exception {
        RawRecord raw = new RawRecord("weather-readings", 1, ++offset, 1000L, null, data);
        H.processElement(new StreamRecord<>(raw));
        List<WeatherReading> out = H.extractOutputValues();
        var dead = H.getSideOutput(ParseAndValidateWeather.DEAD_LETTERS);
        int deadCount = dead == null ? 0 : dead.size();
        assertEquals(1, out.size() + deadCount, "one output per value");
        if (deadCount == 1) {
            FuzzRecords.assertDeadLetter(dead.poll().getValue(), raw, RULES.rawMaxBytes());
        } else {
            assertValid(out.get(0), raw);
        }
        H.getOutput().clear();
    }

    private static void assertValid(WeatherReading r, RawRecord raw) {
        int maxId = FuzzRecords.LIMITS.maxIdLength();
        FuzzBounds.assertIdentifier("station", r.station, maxId);
        for (String n : r.extraNames) {
            FuzzBounds.assertIdentifier("feature name", n, maxId);
        }
        for (double v : r.extraValues) {
            assertTrue(Double.isFinite(v), "finite extra features");
        }
        for (Double v : new Double[] {r.humidityPct, r.pressureHpa, r.tempC, r.windKmh}) {
            assertTrue(v == null || Double.isFinite(v), "finite optional features");
        }
        assertTrue(r.time > 0 && r.time <= System.currentTimeMillis() + FuzzRecords.LIMITS.maxClockAheadMs(), "time " + r.time);
        assertTrue(r.lat >= BBOX[0] && r.lat <= BBOX[1] && r.lon >= BBOX[2] && r.lon <= BBOX[3], "inside the region");
        assertTrue(Double.isNaN(r.rainMm) || r.rainMm >= 0 && r.rainMm <= RULES.rainMaxMm(), "rain " + r.rainMm);
        assertEquals(raw.topic, r.sourceTopic);
        assertEquals(raw.offset, r.sourceOffset);
    }
}
