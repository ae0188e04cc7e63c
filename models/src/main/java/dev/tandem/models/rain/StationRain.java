package dev.tandem.models.rain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stations of one time step with their observed rain: what forecasts are scored against and interpolated back
 * to. A station's rain is the sum of its readings' rain in the step (NaN when none of them had rain).
 */
public record StationRain(String[] stations, double[] lat, double[] lon, float[] rainMm) {
    public static final StationRain NONE = new StationRain(new String[0], new double[0], new double[0], new float[0]);

    public int size() {
        return stations.length;
    }

    /** The stations of a step's readings (in order of first reading); feature 0 of a reading is its rain. */
    public static StationRain of(List<WeatherCsv.Reading> readings) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (WeatherCsv.Reading r : readings) {
            double[] v = m.computeIfAbsent(r.station(), k -> new double[] {r.lat(), r.lon(), 0, 0});
            double rain = r.values()[0];
            if (Double.isFinite(rain)) {
                v[2] += rain;
                v[3]++;
            }
        }
        int n = m.size();
        StationRain out = new StationRain(m.keySet().toArray(new String[0]), new double[n], new double[n], new float[n]);
        int i = 0;
        for (double[] v : m.values()) {
            out.lat[i] = v[0];
            out.lon[i] = v[1];
            out.rainMm[i++] = v[3] > 0 ? (float) v[2] : Float.NaN;
        }
        return out;
    }
}
