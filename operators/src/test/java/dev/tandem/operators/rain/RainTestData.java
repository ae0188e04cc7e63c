package dev.tandem.operators.rain;


import java.util.ArrayList;
import java.util.List;

/** Small synthetic readings for the rain operator tests: 9 stations on a 3 x 3 lattice, a rain blob moving east. */
final class RainTestData {
    static final long HOUR = 3_600_000L;
    static final long T0 = 1_704_067_200_000L; // 2024-01-01T00:00Z

    private RainTestData() {
    }

    static WeatherReading reading(long time, String station, double lat, double lon, double rain) {
        WeatherReading r = new WeatherReading();
        r.time = time;
        r.station = station;
        r.lat = lat;
        r.lon = lon;
        r.rainMm = rain;
        r.humidityPct = 50 + 5 * rain;
        r.pressureHpa = 1015 - rain;
        return r;
    }

    /** The 9 readings of hour {@code step}, stamped {@code offsetMs} into the hour. */
    static List<WeatherReading> step(int step, long offsetMs) {
        List<WeatherReading> out = new ArrayList<>();
        double blob = (step % 5) * 0.5; // the blob's longitude offset
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double lat = -36 + 0.5 * i;
                double lon = 148 + 0.5 * j;
                double d = lon - 148 - blob;
                double rain = Math.round(8 * Math.exp(-d * d / 0.3) * 10) / 10.0;
                out.add(reading(T0 + step * HOUR + offsetMs, "s" + i + j, lat, lon, rain));
            }
        }
        return out;
    }
}
