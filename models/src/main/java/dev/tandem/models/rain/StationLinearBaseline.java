package dev.tandem.models.rain;

/**
 * Per-station linear regression baseline (docs/RAINFALL.md): for station s and target step t, the inputs are the
 * station's own features at the T steps {@code t − h − T + 1 … t − h} (h = horizon), each normalised — after the
 * log1p of amounts, as {@link FeatureNormaliser} does — with the mean and standard deviation of that feature over
 * all stations and the training steps; a missing value becomes 0 (the training mean) and its indicator 1. So a row
 * is {@code [z(f, lag), missing(f, lag)]} for every feature and lag, then a constant 1: {@code 2·F·T + 1} numbers.
 * Fitted per station by least squares with ridge λ on the rows whose target rain (mm, not transformed) is
 * observed and whose target step lies before {@code end}. The forecast is {@code max(0, w·x)}; a station without
 * training rows forecasts 0.
 */
public final class StationLinearBaseline {
    private final StationSeries series;
    private final int window;
    private final int horizon;
    private final double[] mean;
    private final double[] std;
    private final FeatureNormaliser transform;
    private final double[][] weights;

    private StationLinearBaseline(StationSeries series, int window, int horizon, double[] mean, double[] std,
                                  FeatureNormaliser transform, double[][] weights) {
        this.series = series;
        this.window = window;
        this.horizon = horizon;
        this.mean = mean;
        this.std = std;
        this.transform = transform;
        this.weights = weights;
    }

    public static int dimension(int features, int window) {
        return 2 * features * window + 1;
    }

    public static StationLinearBaseline fit(StationSeries series, int end, int window, int horizon, double lambda) {
        int nf = series.features().size();
        FeatureNormaliser stats = new FeatureNormaliser(series.features());
        int stop = Math.min(end, series.steps());
        for (int s = 0; s < series.stationCount(); s++) {
            for (int t = 0; t < stop; t++) {
                for (int f = 0; f < nf; f++) {
                    stats.update(f, series.value(s, t, f));
                }
            }
        }
        double[] mean = new double[nf];
        double[] std = new double[nf];
        for (int f = 0; f < nf; f++) {
            mean[f] = stats.mean(f);
            std[f] = stats.std(f);
        }
        int d = dimension(nf, window);
        double[][] w = new double[series.stationCount()][];
        StationLinearBaseline b = new StationLinearBaseline(series, window, horizon, mean, std, stats, w);
        double[] x = new double[d];
        for (int s = 0; s < series.stationCount(); s++) {
            RidgeAccumulator acc = new RidgeAccumulator(d, lambda);
            for (int t = horizon; t < stop; t++) {
                double y = series.rain(s, t);
                if (Double.isNaN(y)) {
                    continue;
                }
                b.inputs(s, t, x);
                acc.add(x, y);
            }
            w[s] = acc.rows() == 0 ? new double[d] : acc.solve();
        }
        return b;
    }

    /** Fills x (length {@link #dimension}) with the inputs for station s and target step t. */
    public void inputs(int s, int t, double[] x) {
        int nf = mean.length;
        int i = 0;
        for (int k = 0; k < window; k++) {
            int u = t - horizon - k;
            for (int f = 0; f < nf; f++) {
                double v = series.value(s, u, f);
                if (Double.isNaN(v)) {
                    x[i++] = 0;
                    x[i++] = 1;
                } else {
                    x[i++] = (transform.transform(f, v) - mean[f]) / std[f];
                    x[i++] = 0;
                }
            }
        }
        x[i] = 1;
    }

    public double forecast(int s, int t) {
        double[] x = new double[weights[s].length];
        inputs(s, t, x);
        return Math.max(0, RidgeAccumulator.dot(weights[s], x));
    }
}
