package dev.tandem.tools.eval;

import dev.tandem.models.rain.TimeStep;
import dev.tandem.models.rain.WeatherCsv;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic station network for tests, of any step: a regional weather state z_t (AR(1) with persistence φ per
 * step) plus per-station noise drives rain through a threshold and a power (many dry steps, skewed amounts), with a
 * seasonal cycle of each station's wetness (phase and amplitude vary by station) and, for sub-daily steps, a diurnal
 * one. Humidity follows the station's state at the same step (noisily), pressure the regional state: the features
 * carry information about the next step only through the persistence of z. Some readings are missing.
 */
final class SyntheticNetwork {
    record Kind(TimeStep step, int steps, double persistence, double seasonal, double diurnal, double scaleMm) {
    }

    static final Kind MONTHLY = new Kind(TimeStep.MONTHLY, 480, 0.3, 1.0, 0, 60);
    static final Kind HOURLY = new Kind(TimeStep.HOURLY, 2400, 0.93, 0.3, 0.5, 2);

    private SyntheticNetwork() {
    }

    static WeatherCsv.Table generate(Kind kind, int stations, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] lat = new double[stations];
        double[] lon = new double[stations];
        double[] phase = new double[stations];
        double[] wetness = new double[stations];
        for (int s = 0; s < stations; s++) {
            // on a jittered 0.75° lattice: every station has a grid cell of its own (the job's grid from stations)
            lat[s] = -35 + 0.75 * (s / 4) + 0.2 * rng.nextDouble();
            lon[s] = 145 + 0.75 * (s % 4) + 0.2 * rng.nextDouble();
            phase[s] = 0.5 * rng.nextGaussian();
            wetness[s] = 0.4 * rng.nextGaussian();
        }
        long first = kind.step().index(Instant.parse("1990-01-01T00:00:00Z").toEpochMilli());
        List<WeatherCsv.Reading> rows = new ArrayList<>();
        double z = 0;
        double a = kind.persistence();
        double[] local = new double[stations];
        for (int t = 0; t < kind.steps(); t++) {
            z = a * z + Math.sqrt(1 - a * a) * rng.nextGaussian();
            long time = kind.step().start(first + t);
            int month = Instant.ofEpochMilli(time).atZone(ZoneOffset.UTC).getMonthValue();
            double hour = Instant.ofEpochMilli(time).atZone(ZoneOffset.UTC).getHour();
            for (int s = 0; s < stations; s++) {
                local[s] = a * local[s] + Math.sqrt(1 - a * a) * rng.nextGaussian();
                double season = kind.seasonal() * Math.cos(2 * Math.PI * (month - 1) / 12.0 + phase[s]);
                double day = kind.diurnal() * Math.cos(2 * Math.PI * (hour - 15) / 24.0);
                double u = 0.8 * z + 0.6 * local[s] + season + day + wetness[s] - 0.3;
                double rain = u > 0 ? kind.scaleMm() * Math.pow(u, 1.5) : 0;
                if (rng.nextDouble() < 0.03) {
                    continue; // a missing reading
                }
                double humidity = 60 + 15 * Math.tanh(u) + 5 * rng.nextGaussian();
                double pressure = 1012 - 6 * z + 2 * rng.nextGaussian();
                rows.add(new WeatherCsv.Reading(time, "s" + s, lat[s], lon[s],
                        new double[] {Math.round(rain * 10) / 10.0, humidity, pressure}));
            }
        }
        return new WeatherCsv.Table(Path.of("synthetic-" + kind.step().label()),
                List.of("rain_mm", "humidity_pct", "pressure_hpa"), rows, 0, List.of(), List.of());
    }
}
