package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.tools.eval.RainfallEvaluation;
import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.models.rain.ConvLstmRainForecaster;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.OnlineLinearGridForecaster;
import dev.tandem.models.rain.RainMetrics;
import dev.tandem.models.rain.Rasterizer;
import dev.tandem.models.rain.RegionLearner;
import dev.tandem.models.rain.RegionSettings;
import dev.tandem.models.rain.StationSeries;
import dev.tandem.models.rain.TimeStep;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem eval rainfall}: offline prequential rainfall forecasting over a canonical weather CSV. */
@Command(name = "rainfall", mixinStandardHelpOptions = true,
        description = {"Prequential rainfall forecasting over a canonical long weather CSV (any order):",
                "time steps in order, each rasterized to a frame; every forecast is scored at the",
                "stations before the model learns its target. Scores over the last 20%% of the time",
                "steps for the model and three baselines (persistence, climatology, per-station",
                "linear regression), on the same pairs. PRD = 100*sqrt(sum((y-f)^2)/sum(y^2)).",
                "See docs/RAINFALL.md."})
final class EvalRainfallCommand implements Callable<Integer> {
    static final List<String> MODELS = List.of(ConvLstmRainForecaster.NAME, OnlineLinearGridForecaster.NAME);
    
    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Option(names = "--data", paramLabel = "FILE", required = true, description = "Canonical weather CSV (.csv or .csv.gz).")
    Path data;

    @Option(names = "--step", paramLabel = "STEP",
            description = "Time step: hourly, daily, monthly, <n>min, <n>h or <n>d. Default: the data's own (most common spacing of a station's readings).")
    String step;

    @Option(names = "--window", paramLabel = "T|auto",
            description = "Input frames per forecast (rainfall.window; auto: the frames covering 4 days, in [3, 24]).")
    String window;

    @Option(names = "--horizon", paramLabel = "H", description = "Steps ahead to forecast (rainfall.horizon).")
    Integer horizon;

    @Option(names = "--grid-res", paramLabel = "DEG",
            description = "Grid resolution in degrees over the stations' bounding box. Default: chosen from the stations (see --grid-max).")
    Double gridRes;

    @Option(names = "--grid-box", paramLabel = "BOX", split = ",",
            description = {"The grid's box instead of the stations': lat_min,lat_max,lon_min,lon_max (degrees; the corner",
                    "cells are centred on the corners). Resolution: --grid-res, else the finest that fits --grid-max."})
    List<Double> gridBox;

    @Option(names = "--grid-max", paramLabel = "N", defaultValue = "32",
            description = "Largest rows/columns of the automatic grid. Default: ${DEFAULT-VALUE}.")
    int gridMax;

    @Option(names = "--features", paramLabel = "F", split = ",",
            description = "Only these features (rain_mm is always one). Default: every numeric column.")
    List<String> features;

    @Option(names = "--idw-power", defaultValue = "2", description = "Inverse-distance weighting power. Default: ${DEFAULT-VALUE}.")
    double idwPower;

    @Option(names = "--idw-radius", paramLabel = "CELLS", defaultValue = "3",
            description = "Stations farther than this (in cells) do not reach a cell. Default: ${DEFAULT-VALUE}.")
    double idwRadius;

    @Option(names = "--threshold", paramLabel = "MM", defaultValue = "1",
            description = "Rain threshold of CSI, FAR, POD and of the forecast probability (mm; sets "
                    + "rainfall.rain-threshold-mm). Default: ${DEFAULT-VALUE}.")
    double threshold;

    @Option(names = "--ridge", paramLabel = "LAMBDA", defaultValue = "1",
            description = "Ridge lambda of the linear baseline and the online-linear-grid model. Default: ${DEFAULT-VALUE}.")
    double ridge;

    @Option(names = "--model", defaultValue = "convlstm",
            description = "The forecaster evaluated: convlstm (the peephole ConvLSTM encoder-forecaster) or "
                    + "online-linear-grid (one ridge model shared by all cells). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--hidden", paramLabel = "C1,C2", description = "convlstm: hidden channels per layer (rainfall.hidden).")
    String hidden;

    @Option(names = "--kernels", paramLabel = "K1,K2", description = "convlstm: odd kernel size per layer (rainfall.kernels).")
    String kernels;

    @Option(names = "--optimizer", description = "convlstm: the optimizer (rainfall.optimizer): sgd, adam, yamadam, lrsgd-c, lrsgd-r, s-sgd.")
    String optimizer;

    @Option(names = "--lr", description = "convlstm: learning rate (rainfall.learning-rate).")
    Double lr;

    @Option(names = "--salps", description = "convlstm, s-sgd: salps (rainfall.ssgd.population).")
    Integer salps;

    @Option(names = "--salp-window", paramLabel = "R",
            description = "convlstm, s-sgd: half-width r of the salps' window around the food (rainfall.ssgd.window).")
    Double salpWindow;

    @Option(names = "--batch", description = "convlstm: mini-batch, the newest example + replayed ones (rainfall.batch).")
    Integer batch;

    @Option(names = "--replay", paramLabel = "N|auto",
            description = "convlstm: recent examples kept for replay (rainfall.replay; auto: a year of steps, in [64, 4096], <= 256 MiB).")
    String replay;

    @Option(names = "--steps-per-learn", paramLabel = "N", description = "convlstm: optimizer steps per new target frame (rainfall.steps-per-learn).")
    Integer stepsPerLearn;

    @Option(names = "--rain-scale", paramLabel = "MM|auto",
            description = "convlstm: rain is learned in units of this many mm (rainfall.rain-scale; auto: the rms of "
                    + "the stations' rain in the first frames, then frozen).")
    String rainScale;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Mixin
    BackendOption backend = new BackendOption();

    @Option(names = "--initial-model", paramLabel = "FILE",
            description = "convlstm: start the region's ConvLSTM from this model file (tandem export-model); default: rainfall.initial-model of the configuration.")
    java.nio.file.Path initialModel;

    @Option(names = "--seed", description = "Seed of the model's initialisation (rainfall.seed).")
    Long seed;

    @Override
    public Integer call() throws Exception {
        require(Files.isRegularFile(data), "--data", data, "an existing canonical weather CSV file");
        TimeStep ts = null;
        if (step != null) {
            try {
                ts = TimeStep.parse(step);
            } catch (IllegalArgumentException e) {
                require(false, "--step", step, "hourly, daily, monthly, <n>min, <n>h, <n>d");
            }
        }
        RegionSettings region = regionSettings();
        require(gridRes == null || (gridRes > 0 && Double.isFinite(gridRes)), "--grid-res", gridRes, "> 0 degrees");
        double[] box = null;
        if (gridBox != null) {
            require(gridBox.size() == 4 && gridBox.get(0) <= gridBox.get(1) && gridBox.get(2) <= gridBox.get(3)
                            && gridBox.get(0) >= -90 && gridBox.get(1) <= 90 && gridBox.get(2) >= -180 && gridBox.get(3) <= 180,
                    "--grid-box", gridBox, "lat_min,lat_max,lon_min,lon_max with lat in [-90, 90], lon in [-180, 180], min <= max");
            box = gridBox.stream().mapToDouble(Double::doubleValue).toArray();
        }
        require(gridMax >= 1 && gridMax <= 1024, "--grid-max", gridMax, "1 .. 1024");
        require(idwPower > 0 && Double.isFinite(idwPower), "--idw-power", idwPower, "> 0");
        require(idwRadius > 0 && Double.isFinite(idwRadius), "--idw-radius", idwRadius, "> 0 cells");
        require(Double.isFinite(threshold) && threshold > 0, "--threshold", threshold, "> 0 mm");
        require(ridge >= 0 && Double.isFinite(ridge), "--ridge", ridge, ">= 0");
        require(MODELS.contains(model), "--model", model, String.join(", ", MODELS));
        RegionLearner learner;
        if (model.equals(OnlineLinearGridForecaster.NAME)) {
            require(initialModel == null, "--initial-model", initialModel, "only with --model convlstm");
            learner = new RegionLearner(region.window(), region.horizon(), region.seed(),
                    (grid, feats, t, h, sd) -> new OnlineLinearGridForecaster(t, ridge, 1), region.timeStep(),
                    region.rainThresholdMm());
        } else {
            var choice = backend.choose();
            System.err.println("convlstm on backend " + choice.backend().name() + " (" + choice.reason() + ")");
            learner = RegionLearner.convLstm(region, choice.backend());
            // the option, else the configuration's rainfall.initial-model (--config / --set), as the job would
            learner = learner.withInitialModel(initialModel != null ? EvalGearboxCommand.initialModel(initialModel)
                    : config.load().initialModel("rainfall.initial-model"));
        }

        System.err.println("rainfall eval: reading " + data + " ...");
        WeatherCsv.Table table = WeatherCsv.read(data);
        System.err.printf(Locale.ROOT, "read %,d readings, %d features; %,d bad rows skipped%n", table.readings().size(),
                table.features().size(), table.badRows());
        table.problems().forEach(p -> System.err.println("  bad row " + p));
        table.notes().forEach(n -> System.err.println("  " + n));
        RainfallEvaluation.Settings settings = new RainfallEvaluation.Settings(ts, region.window(), region.horizon(), // 0: auto
                gridRes, gridMax, box, features, new Rasterizer.Settings(idwPower, idwRadius), ridge, threshold, 0.2,
                region.seed());
        Progress[] bar = new Progress[1];
        List<String> warnings = new java.util.ArrayList<>();
        RainfallEvaluation.Result r = new RainfallEvaluation(settings, learner).run(table, new RainfallEvaluation.Listener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
                System.err.println("warning: " + message);
            }

            @Override
            public void prepared(StationSeries series, Grid grid, int distinctCells, int scoredFrom, double seconds) {
                System.err.printf(Locale.ROOT,
                        "%s; grid %d x %d at %s x %s deg (%d stations in %d distinct cells); "
                                + "scored from step %d; baselines fitted in %.1f s%n",
                        series, grid.rows(), grid.cols(), grid.dlat(), grid.dlon(), series.stationCount(),
                        distinctCells, scoredFrom, seconds);
                bar[0] = new Progress(System.err, "prequential", series.steps());
            }

            @Override
            public void progress(int done, int total, RainMetrics m, RainMetrics p) {
                bar[0].update(done, m.count() == 0 ? "" : String.format(Locale.ROOT, "mse %.3f persistence %.3f",
                        m.mse(), p.mse()));
            }
        });
        System.out.printf(Locale.ROOT, "%s steps, %d stations (%d on the grid), grid %d x %d (%d distinct station cells); "
                        + "scored %d steps, %,d station-steps%n", r.step().label(), r.stations(), r.stationsOnGrid(),
                r.grid().rows(), r.grid().cols(), r.distinctCells(), r.scoredSteps(), r.model().pairs());
        Map<String, Object> chosen = chosen(r, step != null, region);
        System.out.println("chosen: " + describe(chosen));
        System.out.printf(Locale.ROOT, "%-20s %10s %8s %7s %7s %7s%n", "forecaster", "mse", "prd%", "csi", "far", "pod");
        for (RainfallEvaluation.Scores s : List.of(r.model(), r.network(), r.persistence(), r.climatology(), r.linear())) {
            System.out.printf(Locale.ROOT, "%-20s %10.4f %8.2f %7.4f %7.4f %7.4f%n", s.name(), s.mse(), s.prd(), s.csi(),
                    s.far(), s.pod());
        }
        System.out.printf(Locale.ROOT, "mse over persistence %.4f, over climatology %.4f, over linear %.4f (%.0f s)%n",
                r.mseOverPersistence(), r.mseOverClimatology(), r.mseOverLinear(), r.seconds());
        System.out.printf(Locale.ROOT, "%4s %9s %9s %9s %9s %9s %9s %8s %8s  weights %s%n", "lead", "mse", "network",
                "persist", "climat", "linear", "best/base", "brier", "bss", String.join("/", r.components()));
        List<Map<String, Object>> leads = new java.util.ArrayList<>();
        for (RainfallEvaluation.LeadScores l : r.leads()) {
            StringBuilder w = new StringBuilder();
            for (double x : l.weights()) {
                w.append(w.length() == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.3f", x));
            }
            System.out.printf(Locale.ROOT, "%4d %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %8.4f %8.4f  %s%n", l.lead(), l.mse(),
                    l.networkMse(), l.persistenceMse(), l.climatologyMse(), l.linearMse(),
                    l.mse() / l.bestBaselineMse(), l.brier(), l.brierSkill(), w);
            Map<String, Object> lo = new LinkedHashMap<>();
            lo.put("lead", l.lead());
            lo.put("pairs", l.pairs());
            lo.put("mse", round6(l.mse()));
            lo.put("network_mse", round6(l.networkMse()));
            lo.put("persistence_mse", round6(l.persistenceMse()));
            lo.put("climatology_mse", round6(l.climatologyMse()));
            lo.put("linear_mse", round6(l.linearMse()));
            lo.put("mse_over_best_baseline", round6(l.mse() / l.bestBaselineMse()));
            lo.put("brier", round6(l.brier()));
            lo.put("climatology_brier", round6(l.climatologyBrier()));
            lo.put("brier_skill", round6(l.brierSkill()));
            Map<String, Object> wo = new LinkedHashMap<>();
            for (int i = 0; i < l.weights().length; i++) {
                wo.put(r.components().get(i), round6(l.weights()[i]));
            }
            lo.put("weights", wo);
            leads.add(lo);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", r.model().name());
        putScores(o, "", r.model());
        o.put("mse_over_persistence", round6(r.mseOverPersistence()));
        o.put("mse_over_climatology", round6(r.mseOverClimatology()));
        o.put("mse_over_linear", round6(r.mseOverLinear()));
        o.put("mse_over_best_baseline", round6(r.mseOverBestBaseline()));
        o.put("network", r.network().name());
        putScores(o, "network_", r.network());
        o.put("leads", leads);
        putScores(o, "persistence_", r.persistence());
        putScores(o, "climatology_", r.climatology());
        putScores(o, "linear_", r.linear());
        o.put("threshold_mm", threshold);
        o.put("prd_formula", "100*sqrt(sum((y-f)^2)/sum(y^2))");
        o.put("steps", r.scoredSteps());
        o.put("pairs", r.model().pairs());
        o.put("total_steps", r.steps());
        o.put("stations", r.stations());
        o.put("stations_on_grid", r.stationsOnGrid());
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("rows", r.grid().rows());
        g.put("cols", r.grid().cols());
        g.put("lat0", r.grid().lat0());
        g.put("lon0", r.grid().lon0());
        g.put("dlat", r.grid().dlat());
        g.put("dlon", r.grid().dlon());
        g.put("distinct_station_cells", r.distinctCells());
        o.put("grid", g);
        o.put("step", r.step().label());
        o.put("window", r.window());
        o.put("chosen", chosen);
        o.put("warnings", warnings);
        o.put("horizon", region.horizon());
        o.put("features", r.features());
        o.put("bad_rows", r.badRows());
        o.put("seed", region.seed());
        o.put("seconds", Math.round(r.seconds() * 10) / 10.0);
        if (json) {
            JsonOutput.print(System.out, o);
        }
        return 0;
    }

    /**
     * What the run chose and from what ({@code auto}: the rule, from the stream; {@code set}: an option or the
     * configuration): the step, the grid, and the learner's window, replay, rain scale and learning rate.
     */
    private Map<String, Object> chosen(RainfallEvaluation.Result r, boolean stepSet, RegionSettings region) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("step", entry(r.step().label(), stepSet ? "set" : "auto",
                stepSet ? "--step" : "the most common spacing of a station's readings"));
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("value", String.format(Locale.ROOT, "%d x %d at %s x %s deg", r.grid().rows(), r.grid().cols(),
                r.grid().dlat(), r.grid().dlon()));
        g.put("source", gridRes != null ? "set" : "auto");
        g.put("rule", gridRes != null ? "--grid-res over the " + (gridBox != null ? "--grid-box" : "stations' box")
                : (gridBox != null ? "--grid-box at the finest ladder resolution within --grid-max " + gridMax
                : "the stations' box at the coarsest ladder resolution giving each station its own cell, at most --grid-max "
                + gridMax + " cells a side (else the finest that fits)"));
        g.put("distinct_station_cells", r.distinctCells());
        c.put("grid", g);
        var a = r.chosen();
        if (a != null) {
            c.put("window", entry(a.window(), a.windowAuto() ? "auto" : "set", a.windowAuto()
                    ? "the frames covering 4 days, in [3, 24]" : "rainfall.window"));
            if (a.replay() > 0) {
                c.put("replay", entry(a.replay(), a.replayAuto() ? "auto" : "set", a.replayAuto()
                        ? "a year of steps, in [64, 4096], at most 256 MiB of examples" : "rainfall.replay"));
            }
            if (a.rainScaleAuto() || Double.isFinite(a.rainScale())) {
                String rule = a.rainScaleFromFile() ? "the rain scale the initial model file was trained in ("
                        + a.scaleFile() + ")"
                        : a.rainScaleAuto() ? "rms of the stations' rain in the first frames (dry = 0; clipped at 10 x the "
                        + "median wet amount), until 50 wet readings, in [0.1, 1000] mm; then frozen"
                        : "rainfall.rain-scale" + (a.scaleFile() == null ? "" : String.format(Locale.ROOT,
                        " (wins over the initial model file's %.4g mm)", a.scaleFileMm()));
                Map<String, Object> e = entry(Double.isFinite(a.rainScale()) ? round6(a.rainScale()) : null,
                        a.rainScaleSource(), rule);
                if (a.rainScaleAuto() && !a.rainScaleFromFile()) {
                    e.put("wet_readings", a.scaleWet());
                    e.put("dry_readings", a.scaleDry());
                    e.put("frames", a.scaleFrames());
                }
                c.put("rain_scale_mm", e);
            }
            if (a.climateShortSteps() > 0) {
                c.put("climatology_steps", entry(a.climateShortSteps() + "/" + a.climateLongSteps(), "auto",
                        "the ConvLSTM's climatology channels: 30 and 365 days of steps, at least 3 and 12"));
            }
            if (a.learningRate() > 0) {
                c.put("learning_rate", entry(a.learningRate(), "set",
                        "rainfall.learning-rate (fixed: inputs and targets are on unit scales)"));
            }
        } else {
            c.put("window", entry(r.window(), region.window() == 0 ? "auto" : "set", "rainfall.window"));
        }
        return c;
    }

    private static Map<String, Object> entry(Object value, String source, String rule) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("value", value);
        e.put("source", source);
        e.put("rule", rule);
        return e;
    }

    private static String describe(Map<String, Object> chosen) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : chosen.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> v = (Map<String, Object>) e.getValue();
            b.append(b.length() == 0 ? "" : "; ").append(e.getKey().replace('_', ' ')).append(' ').append(v.get("value"))
                    .append(" (").append(v.get("source"));
            if (v.containsKey("wet_readings")) {
                b.append(String.format(Locale.ROOT, ": %s wet, %s dry readings in %s frames", v.get("wet_readings"),
                        v.get("dry_readings"), v.get("frames")));
            }
            b.append(')');
        }
        return b.toString();
    }

    private static void putScores(Map<String, Object> o, String prefix, RainfallEvaluation.Scores s) {
        o.put(prefix + "mse", round6(s.mse()));
        o.put(prefix + "prd", round6(s.prd()));
        o.put(prefix + "csi", round6(s.csi()));
        o.put(prefix + "far", round6(s.far()));
        o.put(prefix + "pod", round6(s.pod()));
    }

    private static Object round6(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
    }

    /**
     * The streaming job's forecaster settings (config/defaults.properties, then --config and --set), with this
     * command's model options applied over them: the evaluation measures the model the job runs.
     */
    private RegionSettings regionSettings() throws java.io.IOException {
        Map<String, String> options = new LinkedHashMap<>(); // configuration key -> the option that set it
        List<String> sets = new java.util.ArrayList<>();
        put(sets, options, "--window", "rainfall.window", window);
        put(sets, options, "--horizon", "rainfall.horizon", horizon);
        put(sets, options, "--hidden", "rainfall.hidden", hidden);
        put(sets, options, "--kernels", "rainfall.kernels", kernels);
        put(sets, options, "--optimizer", "rainfall.optimizer", optimizer);
        put(sets, options, "--lr", "rainfall.learning-rate", lr);
        put(sets, options, "--salps", "rainfall.ssgd.population", salps);
        put(sets, options, "--salp-window", "rainfall.ssgd.window", salpWindow);
        put(sets, options, "--batch", "rainfall.batch", batch);
        put(sets, options, "--replay", "rainfall.replay", replay);
        put(sets, options, "--steps-per-learn", "rainfall.steps-per-learn", stepsPerLearn);
        put(sets, options, "--rain-scale", "rainfall.rain-scale", rainScale);
        put(sets, options, "--seed", "rainfall.seed", seed);
        put(sets, options, "--threshold", "rainfall.rain-threshold-mm", threshold);
        put(sets, options, "--backend", "compute.backend", backend.name);
        try {
            return config.load().with(sets.toArray(new String[0])).regionSettings();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            for (Map.Entry<String, String> o : options.entrySet()) {
                if (m.contains(o.getKey())) { // name the option the user typed, and the key it sets
                    throw new IllegalArgumentException("invalid value for " + o.getValue() + " (" + o.getKey() + "): " + m, e);
                }
            }
            throw e;
        }
    }

    private static void put(List<String> sets, Map<String, String> options, String option, String key, Object value) {
        if (value != null) {
            sets.add(key + "=" + value);
            options.put(key, option);
        }
    }
}
