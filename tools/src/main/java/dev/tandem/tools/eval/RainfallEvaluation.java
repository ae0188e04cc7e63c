package dev.tandem.tools.eval;

import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.models.rain.Climatology;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.RegionLearner;
import dev.tandem.models.rain.RegionState;
import dev.tandem.models.rain.StationRain;
import dev.tandem.models.rain.RainMetrics;
import dev.tandem.models.rain.Rasterizer;
import dev.tandem.models.rain.StationLinearBaseline;
import dev.tandem.models.rain.StationSeries;
import dev.tandem.models.rain.StepCheck;
import dev.tandem.models.rain.TimeStep;

import java.util.ArrayList;
import java.util.List;

/**
 * Offline prequential rainfall evaluation (docs/RAINFALL.md): walks the time steps of a canonical weather table in
 * order, rasterizes each step that has readings into a frame, and feeds it through the streaming job's own
 * {@link RegionLearner#observe} (score the forecast issued {@code horizon} frames earlier, learn that target, issue
 * the next forecast from the last T frames). Scores are kept over the last {@code scoredFraction} of the time steps, at
 * the stations (the model's value at a station is its cell's value, {@link Grid#sample}), for the model and three
 * baselines on exactly the same (station, step) pairs: persistence, climatology and the per-station linear
 * regression, both fitted only on the steps before the scored period.
 *
 * <p>A pair (station s, target step t) is scored when t is in the scored period, s has observed rain at t and at
 * t − h (so that persistence is defined), and s lies on the grid. The headline scores are those of lead h = H (the
 * combined forecast as the job emits it, and the network alone); {@link Result#leads} holds, for every lead
 * k = 1..H, the MSE of the combination and of the baselines fitted for that lead, and the Brier score of the
 * probability of rain ≥ the threshold against that of the climatological frequency (fitted like the climatology).
 */
public final class RainfallEvaluation {

    public record Settings(TimeStep step, int window, int horizon, Double gridRes, int gridMax, double[] gridBox,
                           List<String> features,
                           Rasterizer.Settings idw, double lambda, double threshold, double scoredFraction, long seed) {
        public Settings {
            if (window < 0) {
                throw new IllegalArgumentException("window must be >= 1 (0: auto, the learner's rule), got " + window);
            }
            if (horizon < 1) {
                throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
            }
            if (gridBox != null && gridBox.length != 4) {
                throw new IllegalArgumentException("grid box must be lat_min, lat_max, lon_min, lon_max");
            }
            if (!(scoredFraction > 0 && scoredFraction < 1)) {
                throw new IllegalArgumentException("scored fraction must be in (0, 1), got " + scoredFraction);
            }
        }
    }

    public interface Listener {
        default void prepared(StationSeries series, Grid grid, int distinctCells, int scoredFrom, double seconds) {
        }

        default void progress(int done, int total, RainMetrics model, RainMetrics persistence) {
        }

        /** A frame as the learner was given it, with its stations, and what the learner did with it. */
        default void observed(Frame frame, StationRain stations, RegionLearner.Step step) {
        }

        /** Something about the settings the user should know before trusting the scores. */
        default void warning(String message) {
        }
    }

    /** Scores of one forecaster over the scored pairs. */
    public record Scores(String name, double mse, double prd, double csi, double far, double pod, long pairs) {
        static Scores of(String name, RainMetrics m) {
            return new Scores(name, m.mse(), m.prd(), m.csi(), m.far(), m.pod(), m.count());
        }
    }

    /**
     * Scores of lead k: MSE of the combination, the network alone and the baselines (persistence of t − k, the
     * climatology, the linear baseline fitted for lead k), the Brier scores of the combination's probability and of
     * the climatological frequency, and the combination's final weights (network, persistence, climatology, linear).
     */
    public record LeadScores(int lead, long pairs, double mse, double networkMse, double persistenceMse,
                             double climatologyMse, double linearMse, double brier, double climatologyBrier,
                             double[] weights) {
        /** Brier skill score against climatology: 1 − B / B_clim (> 0: better than climatology). */
        public double brierSkill() {
            return 1 - brier / climatologyBrier;
        }

        public double bestBaselineMse() {
            return Math.min(persistenceMse, Math.min(climatologyMse, linearMse));
        }
    }

    public record Result(Scores model, Scores persistence, Scores climatology, Scores linear, int scoredSteps,
                         int steps, int scoredFrom, int stations, int stationsOnGrid, Grid grid, int distinctCells,
                         TimeStep step, List<String> features, int badRows, double seconds, Scores network,
                         List<String> components, List<LeadScores> leads, int window,
                         dev.tandem.models.rain.AdaptiveDefaults.Chosen chosen) {
        public double mseOverBestBaseline() {
            return model.mse() / Math.min(persistence.mse(), Math.min(climatology.mse(), linear.mse()));
        }

        public double mseOverPersistence() {
            return model.mse() / persistence.mse();
        }

        public double mseOverClimatology() {
            return model.mse() / climatology.mse();
        }

        public double mseOverLinear() {
            return model.mse() / linear.mse();
        }
    }

    private final Settings settings;
    private final RegionLearner learner;

    /** {@code learner} forecasts with the same window and horizon as {@code settings} (the baselines use them). */
    public RainfallEvaluation(Settings settings, RegionLearner learner) {
        this.settings = settings;
        this.learner = learner;
    }

    /** The features used: all of the table's, or the chosen ones (rain_mm always first). */
    static List<String> chooseFeatures(List<String> available, List<String> chosen) {
        if (chosen == null || chosen.isEmpty()) {
            return available;
        }
        List<String> out = new ArrayList<>(List.of(WeatherCsv.RAIN));
        for (String f : chosen) {
            if (!available.contains(f)) {
                throw new IllegalArgumentException("invalid value " + f + " for --features; allowed: "
                        + String.join(", ", available));
            }
            if (!out.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The readings with only the chosen features (rain first). */
    static List<WeatherCsv.Reading> project(List<WeatherCsv.Reading> rows, List<String> from, List<String> to) {
        if (from.equals(to)) {
            return rows;
        }
        int[] idx = to.stream().mapToInt(from::indexOf).toArray();
        List<WeatherCsv.Reading> out = new ArrayList<>(rows.size());
        for (WeatherCsv.Reading r : rows) {
            double[] v = new double[idx.length];
            for (int i = 0; i < idx.length; i++) {
                v[i] = r.values()[idx[i]];
            }
            out.add(new WeatherCsv.Reading(r.time(), r.station(), r.lat(), r.lon(), v));
        }
        return out;
    }

    public Result run(WeatherCsv.Table table, Listener listener) {
        long started = System.nanoTime();
        List<String> features = chooseFeatures(table.features(), settings.features());
        List<WeatherCsv.Reading> rows = new ArrayList<>(project(table.readings(), table.features(), features));
        rows.sort(java.util.Comparator.comparingLong(WeatherCsv.Reading::time)); // stable: a table may come unsorted
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(table.file() + ": no valid readings");
        }
        TimeStep step = settings.step() != null ? settings.step() : TimeStep.infer(rows);
        if (settings.step() != null) {
            String warning = StepCheck.finerThanData(settings.step(), TimeStep.infer(rows));
            if (warning != null) {
                listener.warning(warning);
            }
        }
        if (step == null) {
            throw new IllegalArgumentException(table.file()
                    + ": cannot infer the time step (no station has two readings at different times); give --step");
        }
        StationSeries series = StationSeries.of(rows, features, step);
        double[] box = settings.gridBox();
        Grid grid = box != null
                ? (settings.gridRes() != null ? Grid.covering(box[0], box[1], box[2], box[3], settings.gridRes())
                        : Grid.fitting(box[0], box[1], box[2], box[3], settings.gridMax()))
                : settings.gridRes() != null
                ? Grid.covering(min(series.lats()), max(series.lats()), min(series.lons()), max(series.lons()),
                        settings.gridRes())
                : Grid.fromStations(series.lats(), series.lons(), settings.gridMax());
        int distinct = grid.distinctCells(series.lats(), series.lons());
        int steps = series.steps();
        int scored = (int) Math.round(settings.scoredFraction() * steps);
        int scoredFrom = steps - Math.max(1, scored);
        int h = settings.horizon();
        int tw = settings.window() > 0 ? settings.window() : learner.windowFor(step); // auto: the learner's rule
        if (scoredFrom < tw + h) {
            throw new IllegalArgumentException("only " + steps + " " + step.label() + " steps: too few for a window of "
                    + tw + ", horizon " + h + " and a scored last " + Math.round(settings.scoredFraction() * 100) + "%");
        }
        Climatology clim = Climatology.fit(series, scoredFrom, settings.threshold());
        StationLinearBaseline[] linearByLead = new StationLinearBaseline[h];
        for (int k = 1; k <= h; k++) {
            linearByLead[k - 1] = StationLinearBaseline.fit(series, scoredFrom, tw, k, settings.lambda());
        }
        StationLinearBaseline linear = linearByLead[h - 1];
        int ns = series.stationCount();
        int[] cell = new int[ns];
        int onGrid = 0;
        for (int s = 0; s < ns; s++) {
            cell[s] = grid.cellOf(series.lat(s), series.lon(s));
            if (cell[s] >= 0) {
                onGrid++;
            }
        }
        if (listener != null) {
            listener.prepared(series, grid, distinct, scoredFrom, (System.nanoTime() - started) / 1e9);
        }
        RegionState region = learner.create(grid, features, step);
        Rasterizer raster = new Rasterizer(grid, features, settings.idw());
        RainMetrics mModel = new RainMetrics(settings.threshold());
        RainMetrics mPers = new RainMetrics(settings.threshold());
        RainMetrics mClim = new RainMetrics(settings.threshold());
        RainMetrics mLin = new RainMetrics(settings.threshold());
        RainMetrics mNet = new RainMetrics(settings.threshold());
        double[][] leadSums = new double[h][7]; // se model, network, persistence, climatology, linear; brier, clim brier
        long[] leadPairs = new long[h];
        int scoredSteps = 0;
        int next = 0;
        long first = series.firstStep();
        List<WeatherCsv.Reading> now = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            now.clear();
            while (next < rows.size() && step.index(rows.get(next).time()) - first == t) {
                now.add(rows.get(next++));
            }
            if (!now.isEmpty()) { // as in the stream: a step without readings makes no frame
                raster.observe(now);
                Frame frame = raster.rasterize(first + t, now);
                // the streaming job's step: score the forecasts due now, learn, forecast (RegionLearner.observe)
                StationRain stations = StationRain.of(now);
                RegionLearner.Step done = learner.observe(region, frame, stations);
                if (listener != null) {
                    listener.observed(frame, stations, done);
                }
                if (t >= scoredFrom) {
                    boolean any = false;
                    for (RegionState.Pending p : done.due()) {
                        int k = p.lead();
                        for (int s = 0; s < ns; s++) {
                            double y = series.rain(s, t);
                            double last = series.rain(s, t - k);
                            if (cell[s] < 0 || Double.isNaN(y) || Double.isNaN(last)) {
                                continue;
                            }
                            double f = Math.max(0, p.rainMm()[cell[s]]);
                            double net = p.components() == null ? f : Math.max(0, p.components()[0][cell[s]]);
                            double c = clim.forecast(s, series.month(t));
                            double lin = linearByLead[k - 1].forecast(s, t);
                            double[] a = leadSums[k - 1];
                            a[0] += (f - y) * (f - y);
                            a[1] += (net - y) * (net - y);
                            a[2] += (last - y) * (last - y);
                            a[3] += (c - y) * (c - y);
                            a[4] += (lin - y) * (lin - y);
                            double o = y >= settings.threshold() ? 1 : 0;
                            double pr = p.probability() == null ? clim.wetFrequency(s, series.month(t))
                                    : p.probability()[cell[s]];
                            double pc = clim.wetFrequency(s, series.month(t));
                            a[5] += (pr - o) * (pr - o);
                            a[6] += (pc - o) * (pc - o);
                            leadPairs[k - 1]++;
                            if (k != h) {
                                continue;
                            }
                            any = true;
                            mModel.add(y, f);
                            mNet.add(y, net);
                            mPers.add(y, last);
                            mClim.add(y, c);
                            mLin.add(y, lin);
                        }
                    }
                    if (any) {
                        scoredSteps++;
                    }
                }
            }
            if (listener != null) {
                listener.progress(t + 1, steps, mModel, mPers);
            }
        }
        String net = learner.forecaster(region).name();
        List<String> components = new ArrayList<>(List.of(net));
        components.addAll(dev.tandem.models.rain.ExpertCombination.BASELINES);
        List<LeadScores> leads = new ArrayList<>(h);
        for (int k = 1; k <= h; k++) {
            double n = Math.max(1, leadPairs[k - 1]);
            double[] a = leadSums[k - 1];
            leads.add(new LeadScores(k, leadPairs[k - 1], a[0] / n, a[1] / n, a[2] / n, a[3] / n, a[4] / n, a[5] / n,
                    a[6] / n, region.experts.weights(k)));
        }
        return new Result(Scores.of("combined", mModel), Scores.of("persistence", mPers),
                Scores.of("climatology", mClim), Scores.of("linear", mLin), scoredSteps, steps, scoredFrom, ns, onGrid,
                grid, distinct, step, features, table.badRows(), (System.nanoTime() - started) / 1e9,
                Scores.of(net, mNet), List.copyOf(components), List.copyOf(leads), tw, region.chosen);
    }

    private static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
