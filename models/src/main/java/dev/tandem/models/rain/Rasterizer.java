package dev.tandem.models.rain;


import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readings of one time step → one {@link Frame} on a {@link Grid} (pure; the Flink operator and the offline
 * evaluation both use it). docs/RAINFALL.md has the method; in short:
 *
 * <ol>
 *   <li>Per station, its readings of the step are combined: amounts ({@link FeatureNormaliser#isAmount}: rain,
 *       {@code *_mm}) are summed, other features averaged, over the readings that have the feature.</li>
 *   <li>Per cell and feature: if stations in the cell have the feature, the cell gets their mean (so a station
 *       alone in its cell is reproduced exactly); otherwise inverse-distance weighting over the stations with the
 *       feature within {@code radius} cells of the cell centre, weight {@code d^-power}, d measured in cells
 *       ({@code ((lat − lat_c)/dlat, (lon − lon_c)/dlon)}). A cell with neither has value 0 and mask 0.</li>
 *   <li>Values are normalised with the {@link FeatureNormaliser} state as it is when the frame is built; the
 *       state learns only through {@link #observe}.</li>
 *   <li>The coverage channel is 1 where a station (with any feature) is in the cell or within the radius.</li>
 *   <li>The target: raw rain (mm) in cells holding stations with observed rain (their mean), with its mask.</li>
 * </ol>
 */
public final class Rasterizer {
    /** IDW power and radius (in cells). */
    public record Settings(double power, double radiusCells) implements java.io.Serializable {
        public static final Settings DEFAULT = new Settings(2, 3);

        public Settings {
            if (!(power > 0) || !Double.isFinite(power)) {
                throw new IllegalArgumentException("IDW power must be finite and > 0, got " + power);
            }
            if (!(radiusCells > 0) || !Double.isFinite(radiusCells)) {
                throw new IllegalArgumentException("IDW radius must be finite and > 0 cells, got " + radiusCells);
            }
        }
    }

    private final Grid grid;
    private final List<String> features;
    private final Settings settings;
    private final boolean[] amount;
    private FeatureNormaliser normaliser;

    public Rasterizer(Grid grid, List<String> features, Settings settings) {
        if (features.isEmpty() || !features.get(0).equals(WeatherCsv.RAIN)) {
            throw new IllegalArgumentException("feature 0 must be " + WeatherCsv.RAIN + ", got " + features);
        }
        this.grid = grid;
        this.features = List.copyOf(features);
        this.settings = settings;
        this.normaliser = new FeatureNormaliser(features);
        amount = new boolean[features.size()];
        for (int i = 0; i < amount.length; i++) {
            amount[i] = FeatureNormaliser.isAmount(features.get(i));
        }
    }

    public Grid grid() {
        return grid;
    }

    public List<String> features() {
        return features;
    }

    public Settings settings() {
        return settings;
    }

    public FeatureNormaliser normaliser() {
        return normaliser;
    }

    /** Replaces the normalisation state (restored from {@link FeatureNormaliser#toBytes}). */
    public void restore(FeatureNormaliser state) {
        if (!state.features().equals(features)) {
            throw new IllegalArgumentException("normaliser features " + state.features() + " differ from " + features);
        }
        normaliser = state;
    }

    /** Learns the normalisation from readings (each once, as they arrive). */
    public void observe(List<WeatherCsv.Reading> readings) {
        for (WeatherCsv.Reading r : readings) {
            for (int f = 0; f < features.size(); f++) {
                normaliser.update(f, r.values()[f]);
            }
        }
    }

    /** One station's combined values within a step. */
    record StationValues(double lat, double lon, double[] values) {
    }

    /** Combines the readings of one step per station (amounts summed, others averaged; NaN when none has it). */
    List<StationValues> combine(List<WeatherCsv.Reading> readings) {
        int nf = features.size();
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, double[]> where = new LinkedHashMap<>();
        for (WeatherCsv.Reading r : readings) {
            double[] s = sums.computeIfAbsent(r.station(), k -> new double[nf]);
            int[] c = counts.computeIfAbsent(r.station(), k -> new int[nf]);
            where.put(r.station(), new double[] {r.lat(), r.lon()});
            for (int f = 0; f < nf; f++) {
                double x = r.values()[f];
                if (Double.isFinite(x)) {
                    s[f] += x;
                    c[f]++;
                }
            }
        }
        List<StationValues> out = new ArrayList<>(sums.size());
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] s = e.getValue();
            int[] c = counts.get(e.getKey());
            double[] v = new double[nf];
            for (int f = 0; f < nf; f++) {
                v[f] = c[f] == 0 ? Double.NaN : amount[f] ? s[f] : s[f] / c[f];
            }
            double[] ll = where.get(e.getKey());
            out.add(new StationValues(ll[0], ll[1], v));
        }
        return out;
    }

    public Frame rasterize(long step, List<WeatherCsv.Reading> readings) {
        List<StationValues> st = combine(readings);
        int nf = features.size();
        int n = grid.cells();
        int ns = st.size();
        double[][] z = new double[ns][nf];
        int[] home = new int[ns];
        for (int s = 0; s < ns; s++) {
            home[s] = grid.cellOf(st.get(s).lat(), st.get(s).lon());
            for (int f = 0; f < nf; f++) {
                double x = st.get(s).values()[f];
                z[s][f] = Double.isFinite(x) ? normaliser.normalise(f, x) : Double.NaN;
            }
        }
        float[] values = new float[nf * n];
        float[] masks = new float[nf * n];
        float[] coverage = new float[n];
        float[] rain = new float[n];
        float[] rainMask = new float[n];
        double radius = settings.radiusCells();
        double[] inSum = new double[nf];
        int[] inCount = new int[nf];
        double[] idwSum = new double[nf];
        double[] idwW = new double[nf];
        for (int r = 0; r < grid.rows(); r++) {
            double latC = grid.latOf(r);
            for (int c = 0; c < grid.cols(); c++) {
                int k = r * grid.cols() + c;
                double lonC = grid.lonOf(c);
                java.util.Arrays.fill(inSum, 0);
                java.util.Arrays.fill(inCount, 0);
                java.util.Arrays.fill(idwSum, 0);
                java.util.Arrays.fill(idwW, 0);
                double rainSum = 0;
                int rainCount = 0;
                boolean covered = false;
                for (int s = 0; s < ns; s++) {
                    StationValues sv = st.get(s);
                    if (home[s] == k) {
                        covered = true;
                        for (int f = 0; f < nf; f++) {
                            if (!Double.isNaN(z[s][f])) {
                                inSum[f] += z[s][f];
                                inCount[f]++;
                            }
                        }
                        if (Double.isFinite(sv.values()[0])) {
                            rainSum += sv.values()[0];
                            rainCount++;
                        }
                        continue;
                    }
                    double dr = (sv.lat() - latC) / grid.dlat();
                    double dc = (sv.lon() - lonC) / grid.dlon();
                    double d = Math.sqrt(dr * dr + dc * dc);
                    if (d > radius) {
                        continue;
                    }
                    covered = true;
                    double wt = Math.pow(d, -settings.power());
                    for (int f = 0; f < nf; f++) {
                        if (!Double.isNaN(z[s][f])) {
                            idwSum[f] += wt * z[s][f];
                            idwW[f] += wt;
                        }
                    }
                }
                coverage[k] = covered ? 1 : 0;
                for (int f = 0; f < nf; f++) {
                    if (inCount[f] > 0) {
                        values[f * n + k] = (float) (inSum[f] / inCount[f]);
                        masks[f * n + k] = 1;
                    } else if (idwW[f] > 0) {
                        values[f * n + k] = (float) (idwSum[f] / idwW[f]);
                        masks[f * n + k] = 1;
                    }
                }
                if (rainCount > 0) {
                    rain[k] = (float) (rainSum / rainCount);
                    rainMask[k] = 1;
                }
            }
        }
        return new Frame(grid, step, features, values, masks, coverage, rain, rainMask);
    }
}
