package dev.tandem.operators.rain;

import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.RawRecord;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParseAndValidateWeatherTest {
    static final WeatherRules RULES = new WeatherRules("south-east", new double[] {-40, -30, 140, 152}, 500, 64);

    private static RawRecord raw(long offset, String json) {
        return new RawRecord("weather-readings", 0, offset, 1000, null, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void goodReadingsPassAndBadOnesBecomeDeadLettersWithTheReason() throws Exception {
        List<String> in = List.of(
                "{\"time\":\"2024-01-01T10:00:00Z\",\"station\":\"a\",\"lat\":-35.1,\"lon\":149.0,\"rain_mm\":2.5,\"humidity_pct\":80,\"soil_mm\":3,\"quality\":\"Y\"}",
                "{\"time\":1704103200000,\"station\":\"b\",\"lat\":-35.2,\"lon\":149.1}",
                "{\"station\":\"c\",\"lat\":-35.2,\"lon\":149.1,\"rain_mm\":1}",
                "{\"time\":\"yesterday\",\"station\":\"c\",\"lat\":-35.2,\"lon\":149.1,\"rain_mm\":1}",
                "{\"time\":1704103200000,\"station\":\"c\",\"lat\":-95,\"lon\":149.1,\"rain_mm\":1}",
                "{\"time\":1704103200000,\"station\":\"c\",\"lat\":-35,\"lon\":200,\"rain_mm\":1}",
                "{\"time\":1704103200000,\"station\":\"c\",\"lat\":-35,\"lon\":149,\"rain_mm\":-1}",
                "{\"time\":1704103200000,\"station\":\"c\",\"lat\":-35,\"lon\":149,\"rain_mm\":900}",
                "{\"time\":1704103200000,\"station\":\"c\",\"lat\":-35,\"lon\":149,\"rain_mm\":\"NaN\"}",
                "{\"time\":1704103200000,\"station\":\"c\",\"lat\":-35,\"lon\":149,\"rain_mm\":1e999}",
                "{\"time\":1704103200000,\"lat\":-35,\"lon\":149,\"rain_mm\":1}",
                "{\"time\":1704103200000,\"station\":\"far\",\"lat\":-20,\"lon\":149,\"rain_mm\":1}",
                "{\"time\":1704103200000,\"station\":\"c\",\"lon\":149,\"rain_mm\":1}",
                "not json at all");
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ParseAndValidateWeather(RULES)))) {
            h.open();
            for (int i = 0; i < in.size(); i++) {
                h.processElement(new StreamRecord<>(raw(i, in.get(i)), 1000));
            }
            List<WeatherReading> ok = h.extractOutputValues();
            assertEquals(2, ok.size());
            WeatherReading a = ok.get(0);
            assertEquals(1704103200000L, a.time);
            assertEquals(2.5, a.rainMm);
            assertEquals(80.0, a.humidityPct);
            assertEquals(List.of("soil_mm"), List.of(a.extraNames), "numeric extras kept, text ignored");
            assertTrue(Double.isNaN(ok.get(1).rainMm), "absent rain is missing (NaN), not zero");
            List<DeadLetter> dead = h.getSideOutput(ParseAndValidateWeather.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            List<String> reasons = dead.stream().map(d -> d.reason).toList();
            assertEquals(in.size() - 2, dead.size(), reasons.toString());
            assertTrue(reasons.get(0).startsWith("missing or non-positive time"), reasons.get(0));
            assertTrue(reasons.get(1).startsWith("unparseable json: ") && reasons.get(1).contains("yesterday"), reasons.get(1));
            assertTrue(reasons.get(2).startsWith("invalid lat -95"), reasons.get(2));
            assertTrue(reasons.get(3).startsWith("invalid lon 200"), reasons.get(3));
            assertTrue(reasons.get(4).startsWith("rain_mm -1.0 out of range"), reasons.get(4));
            assertTrue(reasons.get(5).startsWith("rain_mm 900.0 out of range; allowed: [0, 500.0]"), reasons.get(5));
            assertTrue(reasons.get(6).contains("rain_mm must be a number"), reasons.get(6));
            assertTrue(reasons.get(7).contains("rain_mm Infinity out of range"), reasons.get(7));
            assertEquals("missing station", reasons.get(8));
            assertTrue(reasons.get(9).contains("outside region south-east"), reasons.get(9));
            assertTrue(reasons.get(10).contains("missing lat"), reasons.get(10));
            assertTrue(reasons.get(11).startsWith("unparseable json"), reasons.get(11));
            assertEquals(4, dead.get(2).offset);
            assertEquals("weather-readings", dead.get(2).topic);
        }
    }

    @Test
    void writtenReadingsParseBackAndLeaveMissingRainOut() throws Exception {
        WeatherReading r = new WeatherReading();
        r.time = 1704103200000L;
        r.station = "s";
        r.lat = -35;
        r.lon = 149;
        r.rainMm = Double.NaN;
        r.tempC = 21.5;
        r.putExtra("soil_mm", 4);
        String json = new String(ParseAndValidateWeather.write(r), StandardCharsets.UTF_8);
        assertTrue(!json.contains("rain_mm"), json);
        WeatherReading back = ParseAndValidateWeather.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(r, back);
        assertEquals(null, RULES.problem(back));
    }
}
