package dev.tandem.operators.validate;

import dev.tandem.operators.records.WeatherReading;

import java.io.Serializable;

/**
 * What a weather reading must satisfy to be rasterized: a station, a time (&gt; 0, epoch ms), finite coordinates
 * inside [−90, 90] × [−180, 180], {@code rain_mm} finite within [0, {@code maxRainMm}] (default 2,000 mm: above the
 * world's 24-hour record), and every other numeric field finite. {@code rawMaxBytes} caps the raw text kept in a
 * dead letter.
 */
public record WeatherRules(double maxRainMm, int rawMaxBytes) implements Serializable {
    public static final WeatherRules DEFAULT = new WeatherRules(2000, 1024);

    public WeatherRules {
        if (!(maxRainMm > 0)) {
            throw new IllegalArgumentException("maxRainMm must be > 0, got " + maxRainMm);
        }
        if (rawMaxBytes < 0) {
            throw new IllegalArgumentException("rawMaxBytes must be >= 0, got " + rawMaxBytes);
        }
    }

    /** Null when the reading is acceptable, else the first reason it is not. */
    public String problem(WeatherReading r) {
        if (r == null) {
            return "empty record (null)";
        }
        if (r.station == null || r.station.isBlank()) {
            return "missing station";
        }
        if (r.time <= 0) {
            return "missing or non-positive time " + r.time;
        }
        if (!Double.isFinite(r.lat) || r.lat < -90 || r.lat > 90 || !Double.isFinite(r.lon) || r.lon < -180 || r.lon > 180) {
            return "invalid coordinates lat " + r.lat + ", lon " + r.lon + " (allowed: lat in [-90, 90], lon in [-180, 180])";
        }
        if (!Double.isFinite(r.rainMm) || r.rainMm < 0 || r.rainMm > maxRainMm) {
            return "rain_mm " + r.rainMm + " out of range [0, " + maxRainMm + "]";
        }
        String bad = nonFinite("humidity_pct", r.humidityPct);
        bad = bad != null ? bad : nonFinite("pressure_hpa", r.pressureHpa);
        bad = bad != null ? bad : nonFinite("temp_c", r.tempC);
        bad = bad != null ? bad : nonFinite("wind_kmh", r.windKmh);
        if (bad != null) {
            return bad;
        }
        for (int i = 0; i < r.extraValues.length; i++) {
            if (!Double.isFinite(r.extraValues[i])) {
                return r.extraNames[i] + " is not finite: " + r.extraValues[i];
            }
        }
        return null;
    }

    private static String nonFinite(String name, Double v) {
        return v != null && !Double.isFinite(v) ? name + " is not finite: " + v : null;
    }
}
