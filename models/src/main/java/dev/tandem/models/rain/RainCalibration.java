package dev.tandem.models.rain;

/**
 * The probability of rain ≥ the threshold τ from the combined forecast amount: an online histogram correction of the
 * climatological probability. A (cell, step) falls in one of {@value #AMOUNT_BINS} × {@value #CLIMATE_BINS} bins —
 * the forecast amount relative to τ ({@link #AMOUNT_EDGES}) and the cell's climatological wet frequency p_c for the
 * month ({@link #CLIMATE_EDGES}) — and its probability is {@code p_c + Σ(o − p_c) / (n + 2)} over the bin's past
 * outcomes o (1 when it rained ≥ τ), clipped to [0.001, 0.999]: the cell's own climate, shifted by how much more
 * or less often it rained than climate said when the forecast was of that size. It starts at climatology (shrunk
 * with the weight of two observations), and has no setting: the edges are fixed fractions of τ and of probability,
 * not fitted to a data set.
 */
public final class RainCalibration {
    /** Upper edges of the amount bins, in units of the threshold (the last bin is open). */
    static final double[] AMOUNT_EDGES = {0.05, 0.15, 0.3, 0.5, 0.7, 1, 1.5, 2.5, 5};
    static final double[] CLIMATE_EDGES = {0.05, 0.15, 0.3, 0.5, 0.7};
    static final int AMOUNT_BINS = 10;
    static final int CLIMATE_BINS = 6;
    final double threshold;
    final long[] count = new long[AMOUNT_BINS * CLIMATE_BINS];
    /** Σ (outcome − climatological probability) per bin. */
    final double[] residual = new double[AMOUNT_BINS * CLIMATE_BINS];

    public RainCalibration(double threshold) {
        this.threshold = threshold;
    }

    private static int bin(double v, double[] edges) {
        int i = 0;
        while (i < edges.length && !(v < edges[i])) {
            i++;
        }
        return i;
    }

    int bin(float amountMm, float climate) {
        double a = Float.isFinite(amountMm) ? amountMm / threshold : 0;
        return bin(a, AMOUNT_EDGES) * CLIMATE_BINS + bin(climate, CLIMATE_EDGES);
    }

    /** The probability of rain ≥ τ of every cell, from the combined forecast and the cells' wet frequencies. */
    public float[] probability(float[] amountMm, float[] climate) {
        float[] p = new float[amountMm.length];
        for (int k = 0; k < p.length; k++) {
            int b = bin(amountMm[k], climate[k]);
            p[k] = (float) Math.min(0.999, Math.max(0.001, climate[k] + residual[b] / (count[b] + 2.0)));
        }
        return p;
    }

    /** Adds the outcomes of a forecast whose step has been observed (cells where the mask is 1). */
    public void observe(float[] amountMm, float[] climate, float[] rainMm, float[] mask) {
        for (int k = 0; k < amountMm.length; k++) {
            if (mask[k] > 0 && Float.isFinite(rainMm[k])) {
                int b = bin(amountMm[k], climate[k]);
                count[b]++;
                residual[b] += (rainMm[k] >= threshold ? 1 : 0) - climate[k];
            }
        }
    }
}
