package dev.tandem.models.rain;

import java.util.List;

/**
 * The online per-cell linear expert: for every lead k = 1..H and every cell where rain has been observed, a ridge
 * regression (λ = {@value #LAMBDA} on normalised inputs, as the evaluation's per-station baseline) from the cell's own
 * {@link Frame#input()} channels in the T window frames plus a constant 1 to the cell's rain k steps later. It learns
 * from every (window, target) pair as soon as the target is observed ({@link RecursiveRidge}: the exact ridge
 * solution after every row at O(d²), d = T·(2F+1)+1). Forecasts are {@code max(0, w·x)}; a cell without rows yet
 * forecasts the fallback given (the climatology), as does one whose input is not finite; rows with a non-finite
 * input are not learned.
 */
public final class CellLinearExperts {
    static final double LAMBDA = 1.0;
    final int horizon;
    final int cells;
    /** [lead − 1][cell], null until the cell has a row. */
    final RecursiveRidge[][] acc;

    public CellLinearExperts(int horizon, int cells) {
        this.horizon = horizon;
        this.cells = cells;
        acc = new RecursiveRidge[horizon][cells];
    }

    static int dimension(List<Frame> window) {
        return window.size() * window.get(0).channels() + 1;
    }

    static double[] row(List<Frame> frames, int cell, double[] x) {
        int i = 0;
        for (Frame fr : frames) {
            int n = fr.grid().cells();
            int nf = fr.features().size();
            for (int f = 0; f < nf; f++) {
                x[i++] = fr.values()[f * n + cell];
            }
            for (int f = 0; f < nf; f++) {
                x[i++] = fr.masks()[f * n + cell];
            }
            x[i++] = fr.coverage()[cell];
        }
        x[i] = 1;
        return x;
    }

    private static boolean finite(double[] x) {
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Learns window → the observed rain {@code lead} steps after the window's last frame. */
    public void learn(int lead, List<Frame> window, float[] rainMm, float[] mask) {
        int d = dimension(window);
        double[] x = new double[d];
        for (int k = 0; k < cells; k++) {
            if (mask[k] > 0 && Float.isFinite(rainMm[k])) {
                RecursiveRidge a = acc[lead - 1][k];
                if (a == null) {
                    a = acc[lead - 1][k] = new RecursiveRidge(d, LAMBDA);
                }
                if (finite(row(window, k, x))) { // a non-finite input would poison P and w for good
                    a.add(x, rainMm[k]);
                }
            }
        }
    }

    /** The forecast for {@code lead} steps after the window's last frame; {@code fallback} where a cell has no model. */
    public float[] forecast(int lead, List<Frame> window, float[] fallback) {
        int d = dimension(window);
        double[] x = new double[d];
        float[] out = new float[cells];
        for (int k = 0; k < cells; k++) {
            RecursiveRidge a = acc[lead - 1][k];
            double y = a == null || a.dimension() != d ? Double.NaN : a.predict(row(window, k, x));
            out[k] = Double.isFinite(y) ? (float) Math.max(0, y) : fallback[k];
        }
        return out;
    }
}
