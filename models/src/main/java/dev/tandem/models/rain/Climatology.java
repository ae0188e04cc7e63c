package dev.tandem.models.rain;

/**
 * Climatology baseline: the forecast for station s at step t is the station's mean rain over the steps of the same
 * calendar month before {@code end} (the training data); the station's mean over all months when that month has
 * no data, the mean of all stations when the station has none.
 */
public final class Climatology {
    private final double[][] mean;

    private Climatology(double[][] mean) {
        this.mean = mean;
    }

    public static Climatology fit(StationSeries series, int end) {
        int ns = series.stationCount();
        double[][] sum = new double[ns][13];
        long[][] n = new long[ns][13];
        double all = 0;
        long allN = 0;
        for (int t = 0; t < Math.min(end, series.steps()); t++) {
            int m = series.month(t);
            for (int s = 0; s < ns; s++) {
                double y = series.rain(s, t);
                if (!Double.isNaN(y)) {
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
        double[][] mean = new double[ns][13];
        for (int s = 0; s < ns; s++) {
            double stationMean = n[s][0] == 0 ? global : sum[s][0] / n[s][0];
            for (int m = 1; m <= 12; m++) {
                mean[s][m] = n[s][m] == 0 ? stationMean : sum[s][m] / n[s][m];
            }
        }
        return new Climatology(mean);
    }

    public double forecast(int station, int month) {
        return mean[station][month];
    }
}
