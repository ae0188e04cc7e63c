package dev.tandem.operators.rain;

import dev.tandem.models.rain.WeatherCsv;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The features of a {@link WeatherReading} by canonical name: the standard fields and the extra numeric ones. */
public final class WeatherFeatures {
    /** The standard features, rain first (the default feature list keeps those present in the first frame). */
    public static final List<String> STANDARD = List.of("rain_mm", "humidity_pct", "pressure_hpa", "temp_c", "wind_kmh");
    static final Set<String> KNOWN_FIELDS = Set.of("time", "station", "lat", "lon", "rain_mm", "humidity_pct",
            "pressure_hpa", "temp_c", "wind_kmh");

    private WeatherFeatures() {
    }

    /** Feature {@code name} of the reading; NaN when the reading does not have it. */
    public static double value(WeatherReading r, String name) {
        Double v = switch (name) {
            case "rain_mm" -> r.rainMm;
            case "humidity_pct" -> r.humidityPct;
            case "pressure_hpa" -> r.pressureHpa;
            case "temp_c" -> r.tempC;
            case "wind_kmh" -> r.windKmh;
            default -> {
                for (int i = 0; i < r.extraNames.length; i++) {
                    if (r.extraNames[i].equals(name)) {
                        yield r.extraValues[i];
                    }
                }
                yield null;
            }
        };
        return v == null ? Double.NaN : v;
    }

    /** The reading as a row of the canonical table with the given features (NaN where missing). */
    public static WeatherCsv.Reading toReading(WeatherReading r, List<String> features) {
        double[] v = new double[features.size()];
        for (int f = 0; f < v.length; f++) {
            v[f] = value(r, features.get(f));
        }
        return new WeatherCsv.Reading(r.time, r.station, r.lat, r.lon, v);
    }

    /** rain_mm and the other standard features that at least one of the readings has. */
    public static List<String> present(List<WeatherReading> readings) {
        List<String> out = new ArrayList<>();
        out.add(WeatherCsv.RAIN);
        for (String f : STANDARD.subList(1, STANDARD.size())) {
            for (WeatherReading r : readings) {
                if (Double.isFinite(value(r, f))) {
                    out.add(f);
                    break;
                }
            }
        }
        return out;
    }

    /** A reading of the canonical table as a record (missing values left out). */
    public static WeatherReading fromReading(WeatherCsv.Reading row, List<String> features) {
        WeatherReading r = new WeatherReading();
        r.time = row.time();
        r.station = row.station();
        r.lat = row.lat();
        r.lon = row.lon();
        r.rainMm = Double.NaN;
        for (int f = 0; f < features.size(); f++) {
            double x = row.values()[f];
            String name = features.get(f);
            switch (name) {
                case "rain_mm" -> r.rainMm = x;
                case "humidity_pct" -> r.humidityPct = Double.isNaN(x) ? null : x;
                case "pressure_hpa" -> r.pressureHpa = Double.isNaN(x) ? null : x;
                case "temp_c" -> r.tempC = Double.isNaN(x) ? null : x;
                case "wind_kmh" -> r.windKmh = Double.isNaN(x) ? null : x;
                default -> {
                    if (!Double.isNaN(x)) {
                        r.putExtra(name, x);
                    }
                }
            }
        }
        return r;
    }
}
