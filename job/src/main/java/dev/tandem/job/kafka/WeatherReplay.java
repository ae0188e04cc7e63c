package dev.tandem.job.kafka;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.learning.data.WeatherCsv;
import dev.tandem.operators.records.Json;

import java.util.List;

/**
 * Readings of a canonical weather CSV as {@code weather-readings} records (ARCHITECTURE.md WeatherReading): JSON
 * with {@code time} (epoch ms), {@code station}, {@code lat}, {@code lon}, {@code rain_mm} and every other feature
 * under its column name; a missing feature is left out. A reading without {@code rain_mm} cannot be a
 * WeatherReading and is not sent ({@link #encode} returns null). Key = station, timestamp = the reading's time.
 */
public final class WeatherReplay {
    private WeatherReplay() {
    }

    public static byte[] encode(WeatherCsv.Reading r, List<String> features) {
        if (Double.isNaN(r.rainMm())) {
            return null;
        }
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("time", r.time());
        o.put("station", r.station());
        o.put("lat", r.lat());
        o.put("lon", r.lon());
        for (int f = 0; f < features.size(); f++) {
            double v = r.values()[f];
            if (Double.isFinite(v)) {
                o.put(features.get(f), v);
            }
        }
        try {
            return Json.mapper().writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
