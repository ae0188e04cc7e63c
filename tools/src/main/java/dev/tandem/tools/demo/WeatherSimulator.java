package dev.tandem.tools.demo;

import dev.tandem.operators.rain.WeatherReading;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SYNTHETIC weather for the demo and tests — not recorded data. A network of stations scattered over a box of
 * latitude/longitude, and rain cells drifting over it:
 * <ul>
 *   <li>a rain cell is a Gaussian blob (radius 0.4°–1.2°, peak 2–25 mm per step) born at the western edge of the box
 *       at a Poisson rate, drifting east with the prevailing wind (0.15°–0.45° per step, a little north or south),
 *       growing for its first third of life and decaying afterwards (life 6–20 steps);</li>
 *   <li>a station's rain in a step is the sum of the cells' intensities at its position (below 0.2 mm: 0);</li>
 *   <li>humidity rises and pressure falls near and AHEAD of cells (east of them), so the readings carry the signal a
 *       forecaster can learn: rain arrives where the humidity rose and the pressure fell one or two steps before;</li>
 *   <li>temperature follows a daily cycle (the step length sets the phase) and cools under rain;
 *       wind speed follows the cells' drift speed; every reading gets a little Gaussian noise.</li>
 * </ul>
 * Everything is seeded: the same seed gives the same stations and the same weather, step by step.
 */
public final class WeatherSimulator {
    /** One station of the synthetic network. */
    public record Station(String id, double lat, double lon) {
    }

    private record Cell(double lat, double lon, double dLat, double dLon, double radius, double peak, int age,
                        int life) {
        double intensity() {
            double growth = Math.min(1.0, (age + 1) / (life / 3.0));
            double decay = Math.max(0.0, 1.0 - Math.max(0, age - life / 3.0) / (life * 2.0 / 3.0));
            return peak * growth * decay;
        }

        double at(double la, double lo, double shiftSteps) {
            double cLat = lat + dLat * shiftSteps;
            double cLon = lon + dLon * shiftSteps;
            double d2 = (la - cLat) * (la - cLat) + (lo - cLon) * (lo - cLon);
            return intensity() * Math.exp(-d2 / (2 * radius * radius));
        }
    }

    private final List<Station> stations;
    private final double lat0;
    private final double lat1;
    private final double lon0;
    private final double lon1;
    private final long stepMs;
    private final SplittableRandom rng;
    private final List<Cell> cells = new ArrayList<>();
    private final double cellsPerStep;
    private long step;

    /**
     * @param stationCount stations placed uniformly at random in the box [lat0, lat1] × [lon0, lon1]
     * @param stepMs       simulated time between two readings of a station
     * @param cellsPerStep mean number of new rain cells per step
     */
    public WeatherSimulator(int stationCount, double lat0, double lat1, double lon0, double lon1, long stepMs,
                            double cellsPerStep, long seed) {
        if (stationCount < 1 || !(lat0 < lat1) || !(lon0 < lon1) || stepMs <= 0 || !(cellsPerStep >= 0)) {
            throw new IllegalArgumentException("invalid synthetic weather: stations " + stationCount + ", box ["
                    + lat0 + "," + lat1 + "]x[" + lon0 + "," + lon1 + "], step " + stepMs + " ms, cells " + cellsPerStep);
        }
        this.lat0 = lat0;
        this.lat1 = lat1;
        this.lon0 = lon0;
        this.lon1 = lon1;
        this.stepMs = stepMs;
        this.cellsPerStep = cellsPerStep;
        this.rng = new SplittableRandom(seed);
        List<Station> s = new ArrayList<>(stationCount);
        for (int i = 0; i < stationCount; i++) {
            double la = lat0 + (lat1 - lat0) * rng.nextDouble();
            double lo = lon0 + (lon1 - lon0) * rng.nextDouble();
            s.add(new Station(String.format("syn-%02d", i + 1), round(la), round(lo)));
        }
        this.stations = List.copyOf(s);
    }

    /** The demo's default network: 24 stations over a 6° × 8° box in south-eastern Australia, hourly steps. */
    public static WeatherSimulator demo(long seed) {
        return new WeatherSimulator(24, -38.0, -32.0, 142.0, 150.0, 3_600_000L, 0.25, seed);
    }

    public List<Station> stations() {
        return stations;
    }

    public long stepMs() {
        return stepMs;
    }

    /** Advances the weather by one step and returns one reading per station, all stamped {@code timeMs}. */
    public List<WeatherReading> next(long timeMs) {
        advanceCells();
        double hourOfDay = ((step * stepMs) / 3_600_000.0) % 24.0;
        List<WeatherReading> out = new ArrayList<>(stations.size());
        for (Station st : stations) {
            double rain = 0;
            double ahead = 0;
            for (Cell c : cells) {
                rain += c.at(st.lat, st.lon, 0);
                ahead += c.at(st.lat, st.lon, 2);
            }
            WeatherReading r = new WeatherReading();
            r.time = timeMs;
            r.station = st.id;
            r.lat = st.lat;
            r.lon = st.lon;
            r.rainMm = rain < 0.2 ? 0.0 : round(rain);
            double wet = 1 - Math.exp(-(rain + ahead) / 5.0);
            r.humidityPct = round(clamp(45 + 50 * wet + 3 * rng.nextGaussian(), 5, 100));
            r.pressureHpa = round(1016 - 12 * wet + 0.8 * rng.nextGaussian());
            r.tempC = round(18 + 6 * Math.sin(2 * Math.PI * (hourOfDay - 9) / 24.0) - 4 * wet + 0.5 * rng.nextGaussian());
            r.windKmh = round(Math.max(0, 15 + 40 * meanDrift() + 4 * wet + 2 * rng.nextGaussian()));
            out.add(r);
        }
        step++;
        return out;
    }

    private void advanceCells() {
        List<Cell> moved = new ArrayList<>(cells.size());
        for (Cell c : cells) {
            if (c.age + 1 < c.life && c.lon < lon1 + 3 * c.radius) {
                moved.add(new Cell(c.lat + c.dLat, c.lon + c.dLon, c.dLat, c.dLon, c.radius, c.peak, c.age + 1, c.life));
            }
        }
        cells.clear();
        cells.addAll(moved);
        int born = poisson(cellsPerStep);
        for (int i = 0; i < born; i++) {
            double radius = 0.4 + 0.8 * rng.nextDouble();
            double lat = lat0 + (lat1 - lat0) * rng.nextDouble();
            double lon = lon0 - radius + (lon1 - lon0) * 0.3 * rng.nextDouble();
            double dLon = 0.15 + 0.3 * rng.nextDouble();
            double dLat = 0.1 * (rng.nextDouble() - 0.5);
            double peak = 2 + 23 * rng.nextDouble() * rng.nextDouble();
            int life = 6 + rng.nextInt(15);
            cells.add(new Cell(lat, lon, dLat, dLon, radius, peak, 0, life));
        }
    }

    private double meanDrift() {
        if (cells.isEmpty()) {
            return 0.2;
        }
        double s = 0;
        for (Cell c : cells) {
            s += c.dLon;
        }
        return s / cells.size();
    }

    private int poisson(double mean) {
        double l = Math.exp(-mean);
        int k = 0;
        double p = rng.nextDouble();
        while (p > l) {
            k++;
            p *= rng.nextDouble();
        }
        return k;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
