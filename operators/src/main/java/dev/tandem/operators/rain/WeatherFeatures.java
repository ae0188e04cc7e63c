package dev.tandem.operators.rain;

import dev.tandem.learning.data.WeatherCsv;
import dev.tandem.operators.records.WeatherReading;

import java.util.List;

/** A {@link WeatherReading} as the rasterizer's reading: its values in a configured feature order (NaN = absent). */
public final class WeatherFeatures {
    private WeatherFeatures() {
    }

    public static WeatherCsv.Reading of(WeatherReading r, List<String> features) {
        double[] v = new double[features.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = value(r, features.get(i));
        }
        return new WeatherCsv.Reading(r.time, r.station, r.lat, r.lon, v);
    }

    static double value(WeatherReading r, String feature) {
        switch (feature) {
            case "rain_mm":
                return r.rainMm;
            case "humidity_pct":
                return orNaN(r.humidityPct);
            case "pressure_hpa":
                return orNaN(r.pressureHpa);
            case "temp_c":
                return orNaN(r.tempC);
            case "wind_kmh":
                return orNaN(r.windKmh);
            default:
                for (int i = 0; i < r.extraNames.length; i++) {
                    if (r.extraNames[i].equals(feature)) {
                        return r.extraValues[i];
                    }
                }
                return Double.NaN;
        }
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }
}
