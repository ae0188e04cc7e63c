package dev.tandem.models.rain;

/**
 * An online climatology of every grid cell by calendar month: the mean observed rain and the frequency of rain ≥ the
 * threshold, from the targets seen so far (so from the past only). Slot 0 holds all months together; a month with
 * fewer than {@value #MIN_MONTH} observations at a cell falls back to the cell's all-month figures, a cell never
 * observed to the region's (so a new cell starts from its neighbours' climate rather than from zero).
 */
public final class CellClimatology {
    static final int MIN_MONTH = 3;
    final int cells;
    final double threshold;
    /** [month (0 = all) × cells]: sum of rain, count, count of rain ≥ threshold. */
    final double[] sum;
    final long[] count;
    final long[] wet;
    double regionSum;
    long regionCount;
    long regionWet;

    public CellClimatology(int cells, double threshold) {
        this.cells = cells;
        this.threshold = threshold;
        sum = new double[13 * cells];
        count = new long[13 * cells];
        wet = new long[13 * cells];
    }

    /** Adds the observed rain of one step (month 1..12) where the mask is 1. */
    public void observe(int month, float[] rainMm, float[] mask) {
        for (int k = 0; k < cells; k++) {
            if (mask[k] > 0 && Float.isFinite(rainMm[k])) {
                double y = rainMm[k];
                boolean isWet = y >= threshold;
                for (int slot : new int[] {0, month}) {
                    sum[slot * cells + k] += y;
                    count[slot * cells + k]++;
                    if (isWet) {
                        wet[slot * cells + k]++;
                    }
                }
                regionSum += y;
                regionCount++;
                if (isWet) {
                    regionWet++;
                }
            }
        }
    }

    private int slot(int month, int k) {
        if (count[month * cells + k] >= MIN_MONTH) {
            return month * cells + k;
        }
        return count[k] > 0 ? k : -1;
    }

    /** The climatological mean rain (mm) of every cell in the month. */
    public float[] mean(int month) {
        float[] out = new float[cells];
        double region = regionCount == 0 ? 0 : regionSum / regionCount;
        for (int k = 0; k < cells; k++) {
            int s = slot(month, k);
            out[k] = (float) (s < 0 ? region : sum[s] / count[s]);
        }
        return out;
    }

    /**
     * The climatological probability of rain ≥ threshold of every cell in the month: (wet + p) / (n + 1) with the
     * region's frequency p as a one-observation prior, so it is never exactly 0 or 1 from a few observations.
     */
    public float[] wetFrequency(int month) {
        float[] out = new float[cells];
        double region = (regionWet + 0.5) / (regionCount + 1.0);
        for (int k = 0; k < cells; k++) {
            int s = slot(month, k);
            out[k] = (float) (s < 0 ? region : (wet[s] + region) / (count[s] + 1.0));
        }
        return out;
    }
}
