package dev.tandem.models.rain;

/**
 * Climatology baseline: the forecast for station s at step t is the station's mean rain over the steps of the same
 * calendar month before {@code end} (the training data); the station's mean over all months when that month has
 * no data, the mean of all stations when the station has none. Likewise the probability of rain ≥ a threshold:
 * the frequency of such steps (the reference of the Brier skill score).
 */
public final class Climatology {
    private final double[][] mean;
    private final double[][] wet;

    private Climatology(double[][] mean, double[][] wet) {
        this.mean = mean;
        this.wet = wet;
    }

    public static Climatology fit(StationSeries series, int end) {
        return fit(series, end, RegionSettings.DEFAULT_THRESHOLD_MM);
    }

    public static Climatology fit(StationSeries series, int end, double threshold) {
        int ns = series.stationCount();
        double[][] sum = new double[ns][13];
        long[][] n = new long[ns][13];
        long[][] w = new long[ns][13];
        double all = 0;
        long allN = 0;
        long allW = 0;
        for (int t = 0; t < Math.min(end, series.steps()); t++) {
            int m = series.month(t);
            for (int s = 0; s < ns; s++) {
                double y = series.rain(s, t);
                if (!Double.isNaN(y)) {
                    if (y >= threshold) {
                        w[s][m]++;
                        w[s][0]++;
                        allW++;
                    }
                    sum[s][m] += y;
                    n[s][m]++;
                    sum[s][0] += y;
                    n[s][0]++;
                    all += y;
                    allN++;
                }
            }
        }
        double global = allN == 0 ? 0 : all / allN;
        double globalWet = allN == 0 ? 0 : (double) allW / allN;
        double[][] mean = new double[ns][13];
        double[][] wet = new double[ns][13];
        for (int s = 0; s < ns; s++) {
            double stationMean = n[s][0] == 0 ? global : sum[s][0] / n[s][0];
            double stationWet = n[s][0] == 0 ? globalWet : (double) w[s][0] / n[s][0];
            for (int m = 1; m <= 12; m++) {
                mean[s][m] = n[s][m] == 0 ? stationMean : sum[s][m] / n[s][m];
                wet[s][m] = n[s][m] == 0 ? stationWet : (double) w[s][m] / n[s][m];
            }
        }
        return new Climatology(mean, wet);
    }

    /** The climatological probability of rain ≥ the fitted threshold at the station in the month. */
    public double wetFrequency(int station, int month) {
        return wet[station][month];
    }

    public double forecast(int station, int month) {
        return mean[station][month];
    }
}
