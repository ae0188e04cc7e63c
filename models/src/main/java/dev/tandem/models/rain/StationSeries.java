package dev.tandem.models.rain;


import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The readings as a dense station × step × feature table (raw units, NaN where missing), steps numbered from the
 * first step of the data (t = 0 … steps−1). A station's readings within one step are combined as the
 * {@link Rasterizer} does (amounts summed, other features averaged). Stations are sorted by name; a station's
 * coordinates are those of its first reading.
 */
public final class StationSeries {
    private final List<String> stations;
    private final double[] lat;
    private final double[] lon;
    private final List<String> features;
    private final TimeStep step;
    private final long first;
    private final int steps;
    private final float[] data;

    private StationSeries(List<String> stations, double[] lat, double[] lon, List<String> features, TimeStep step,
                          long first, int steps, float[] data) {
        this.stations = stations;
        this.lat = lat;
        this.lon = lon;
        this.features = features;
        this.step = step;
        this.first = first;
        this.steps = steps;
        this.data = data;
    }

    public static StationSeries of(List<WeatherCsv.Reading> readings, List<String> features, TimeStep step) {
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("no readings");
        }
        TreeMap<String, double[]> where = new TreeMap<>();
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (WeatherCsv.Reading r : readings) {
            where.putIfAbsent(r.station(), new double[] {r.lat(), r.lon()});
            long i = step.index(r.time());
            lo = Math.min(lo, i);
            hi = Math.max(hi, i);
        }
        long n = hi - lo + 1;
        int nf = features.size();
        if (n * where.size() * nf > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many steps (" + n + ") x stations (" + where.size()
                    + ") for one table; choose a coarser --step");
        }
        List<String> names = new ArrayList<>(where.keySet());
        double[] lat = new double[names.size()];
        double[] lon = new double[names.size()];
        for (int s = 0; s < names.size(); s++) {
            lat[s] = where.get(names.get(s))[0];
            lon[s] = where.get(names.get(s))[1];
        }
        int steps = (int) n;
        float[] sum = new float[names.size() * steps * nf];
        short[] count = new short[sum.length];
        boolean[] amount = new boolean[nf];
        for (int f = 0; f < nf; f++) {
            amount[f] = FeatureNormaliser.isAmount(features.get(f));
        }
        for (WeatherCsv.Reading r : readings) {
            int s = java.util.Collections.binarySearch(names, r.station());
            int t = (int) (step.index(r.time()) - lo);
            int base = (s * steps + t) * nf;
            for (int f = 0; f < nf; f++) {
                double x = r.values()[f];
                if (Double.isFinite(x)) {
                    sum[base + f] += (float) x;
                    if (count[base + f] < Short.MAX_VALUE) {
                        count[base + f]++;
                    }
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            int f = i % nf;
            sum[i] = count[i] == 0 ? Float.NaN : amount[f] ? sum[i] : sum[i] / count[i];
        }
        return new StationSeries(List.copyOf(names), lat, lon, List.copyOf(features), step, lo, steps, sum);
    }

    public List<String> stations() {
        return stations;
    }

    public int stationCount() {
        return stations.size();
    }

    public double lat(int s) {
        return lat[s];
    }

    public double lon(int s) {
        return lon[s];
    }

    public double[] lats() {
        return lat.clone();
    }

    public double[] lons() {
        return lon.clone();
    }

    public List<String> features() {
        return features;
    }

    public TimeStep step() {
        return step;
    }

    /** The step index (of {@link TimeStep#index}) of t = 0. */
    public long firstStep() {
        return first;
    }

    public int steps() {
        return steps;
    }

    /** Feature f of station s at step t (raw units); NaN when missing or t outside the data. */
    public double value(int s, int t, int f) {
        if (t < 0 || t >= steps) {
            return Double.NaN;
        }
        return data[(s * steps + t) * features.size() + f];
    }

    public double rain(int s, int t) {
        return value(s, t, 0);
    }

    /** Calendar month (1..12) of step t. */
    public int month(int t) {
        return step.month(first + t);
    }

    @Override
    public String toString() {
        return stations.size() + " stations x " + steps + " " + step.label() + " steps x " + features.size()
                + " features " + Arrays.toString(features.toArray());
    }
}
