package dev.tandem.operators.rain;


import java.io.Serializable;
import java.util.Locale;

/**
 * What a weather reading must satisfy to reach the rasterizer (configuration {@code rainfall.region},
 * {@code rainfall.bbox}, {@code rainfall.rain-max-mm}, {@code dead-letters.raw-max-bytes}): a positive time, a
 * station, a latitude in [-90, 90] and a longitude in [-180, 180], rain either missing (absent or null: a masked value
 * downstream) or a finite number in [0, rainMaxMm], finite optional and extra features, and, when the region has a
 * bounding box, a position inside it. Every reading that passes belongs to the one configured region.
 *
 * @param bbox {@code {latMin, latMax, lonMin, lonMax}} or null for no bounds
 */
public record WeatherRules(String region, double[] bbox, double rainMaxMm, int rawMaxBytes) implements Serializable {

    public WeatherRules {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("rainfall.region must be a non-empty name");
        }
        if (bbox != null && (bbox.length != 4 || !(bbox[0] < bbox[1]) || !(bbox[2] < bbox[3]))) {
            throw new IllegalArgumentException("rainfall.bbox must be latMin,latMax,lonMin,lonMax with min < max");
        }
        bbox = bbox == null ? null : bbox.clone();
        if (!(rainMaxMm > 0) || !Double.isFinite(rainMaxMm)) {
            throw new IllegalArgumentException("rainfall.rain-max-mm must be a finite number > 0, got " + rainMaxMm);
        }
    }

    /** Null when the reading is acceptable, else the first reason it is not. */
    public String problem(WeatherReading r) {
        if (r == null) {
            return "empty record (null)";
        }
        if (r.time <= 0) {
            return "missing or non-positive time " + r.time;
        }
        if (r.station == null || r.station.isBlank()) {
            return "missing station";
        }
        if (!Double.isFinite(r.lat) || r.lat < -90 || r.lat > 90) {
            return "invalid lat " + r.lat + "; allowed: [-90, 90]";
        }
        if (!Double.isFinite(r.lon) || r.lon < -180 || r.lon > 180) {
            return "invalid lon " + r.lon + "; allowed: [-180, 180]";
        }
        if (!Double.isNaN(r.rainMm) && (!Double.isFinite(r.rainMm) || r.rainMm < 0 || r.rainMm > rainMaxMm)) {
            return String.format(Locale.ROOT, "rain_mm %s out of range; allowed: [0, %s] (or absent)", r.rainMm, rainMaxMm);
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
                return "non-finite " + r.extraNames[i] + " " + r.extraValues[i];
            }
        }
        if (bbox != null && (r.lat < bbox[0] || r.lat > bbox[1] || r.lon < bbox[2] || r.lon > bbox[3])) {
            return String.format(Locale.ROOT, "station %s at (%s, %s) is outside region %s [%s, %s] x [%s, %s]", r.station,
                    r.lat, r.lon, region, bbox[0], bbox[1], bbox[2], bbox[3]);
        }
        return null;
    }

    private static String nonFinite(String name, Double v) {
        return v != null && !Double.isFinite(v) ? "non-finite " + name + " " + v : null;
    }
}
