package dev.tandem.operators.validate;

import dev.tandem.operators.records.DeadLetter;
import dev.tandem.operators.records.RawRecord;
import dev.tandem.operators.records.WeatherReading;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weather readings: good ones pass, out-of-range rain, invalid coordinates, missing time… become dead letters. */
class ParseWeatherTest {
    private static RawRecord raw(long offset, String json) {
        return new RawRecord("weather-readings", 0, offset, 1000L, null,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void goodReadingsPassAndEveryBadOneIsADeadLetterWithItsReason() throws Exception {
        String good = "{\"time\":\"2021-03-04T09:00:00Z\",\"station\":\"Albury\",\"lat\":-36.07,\"lon\":146.95,"
                + "\"rain_mm\":1.5,\"humidity_9am_pct\":71}";
        List<String> bad = java.util.Arrays.asList(
                "{\"time\":1000,\"station\":\"S\",\"lat\":-36,\"lon\":146,\"rain_mm\":-1}",
                "{\"time\":1000,\"station\":\"S\",\"lat\":-36,\"lon\":146,\"rain_mm\":5000}",
                "{\"time\":1000,\"station\":\"S\",\"lat\":-91,\"lon\":146,\"rain_mm\":1}",
                "{\"time\":1000,\"station\":\"S\",\"lat\":-36,\"lon\":200,\"rain_mm\":1}",
                "{\"station\":\"S\",\"lat\":-36,\"lon\":146,\"rain_mm\":1}",
                "{\"time\":1000,\"station\":\"S\",\"lat\":-36,\"lon\":146}",
                "{\"time\":1000,\"lat\":-36,\"lon\":146,\"rain_mm\":1}",
                "{\"time\":\"yesterday\",\"station\":\"S\",\"lat\":-36,\"lon\":146,\"rain_mm\":1}",
                "{\"time\":1000,\"station\":\"S\",\"lat\":-36,\"lon\":146,\"rain_mm\":1,\"note\":\"text\"}",
                "{\"time\":0,\"station\":\"S\",\"lat\":-36,\"lon\":146,\"rain_mm\":1}",
                "not json",
                null);
        try (OneInputStreamOperatorTestHarness<RawRecord, WeatherReading> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(new ParseWeather(WeatherRules.DEFAULT))) {
            h.processElement(new StreamRecord<>(raw(0, good)));
            for (int i = 0; i < bad.size(); i++) {
                h.processElement(new StreamRecord<>(raw(i + 1, bad.get(i))));
            }
            List<WeatherReading> ok = h.extractOutputValues();
            assertEquals(1, ok.size());
            assertEquals(1.5, ok.get(0).rainMm);
            assertEquals("humidity_9am_pct", ok.get(0).extraNames[0]);
            List<DeadLetter> dead = h.getSideOutput(ParseAndValidate.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertEquals(bad.size(), dead.size());
            List<String> reasons = dead.stream().map(d -> d.reason).toList();
            assertTrue(reasons.get(0).startsWith("rain_mm -1.0 out of range"), reasons.get(0));
            assertTrue(reasons.get(1).startsWith("rain_mm 5000.0 out of range"), reasons.get(1));
            assertTrue(reasons.get(2).startsWith("invalid coordinates"), reasons.get(2));
            assertTrue(reasons.get(3).startsWith("invalid coordinates"), reasons.get(3));
            assertEquals("missing time", reasons.get(4));
            assertEquals("missing rain_mm", reasons.get(5));
            assertEquals("missing station", reasons.get(6));
            assertTrue(reasons.get(7).startsWith("unparseable json"), reasons.get(7));
            assertTrue(reasons.get(8).startsWith("unparseable json") && reasons.get(8).contains("note"), reasons.get(8));
            assertTrue(reasons.get(9).startsWith("missing or non-positive time"), reasons.get(9));
            assertTrue(reasons.get(10).startsWith("unparseable json"), reasons.get(10));
            assertEquals("empty record", reasons.get(11));
            assertEquals("weather-readings", dead.get(2).topic);
            assertEquals(3, dead.get(2).offset);
            assertTrue(dead.get(0).raw.contains("\"rain_mm\":-1"), dead.get(0).raw);
        }
    }
}
