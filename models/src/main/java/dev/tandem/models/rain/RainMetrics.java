package dev.tandem.models.rain;

/**
 * Forecast scores over pairs (observed y, forecast ŷ) (ALGORITHMS.md §2.3):
 * {@code MSE = Σ(y − ŷ)² / N}; {@code PRD = 100 · sqrt(Σ(y − ŷ)² / Σy²)} (percent); and at a rain threshold τ
 * (rain when ≥ τ): {@code CSI = hits / (hits + misses + false alarms)}, {@code FAR = false alarms / (hits + false
 * alarms)}, {@code POD = hits / (hits + misses)} (NaN when the denominator is 0).
 */
public final class RainMetrics {
    private final double threshold;
    private long n;
    private double sse;
    private double sumY2;
    private long hits;
    private long misses;
    private long falseAlarms;

    public RainMetrics(double threshold) {
        this.threshold = threshold;
    }

    public void add(double y, double yHat) {
        double d = y - yHat;
        n++;
        sse += d * d;
        sumY2 += y * y;
        boolean obs = y >= threshold;
        boolean fc = yHat >= threshold;
        if (obs && fc) {
            hits++;
        } else if (obs) {
            misses++;
        } else if (fc) {
            falseAlarms++;
        }
    }

    public long count() {
        return n;
    }

    public double threshold() {
        return threshold;
    }

    public double mse() {
        return n == 0 ? Double.NaN : sse / n;
    }

    public double prd() {
        return sumY2 == 0 ? Double.NaN : 100 * Math.sqrt(sse / sumY2);
    }

    public double csi() {
        return ratio(hits, hits + misses + falseAlarms);
    }

    public double far() {
        return ratio(falseAlarms, hits + falseAlarms);
    }

    public double pod() {
        return ratio(hits, hits + misses);
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public long falseAlarms() {
        return falseAlarms;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
