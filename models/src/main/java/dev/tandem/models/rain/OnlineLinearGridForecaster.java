package dev.tandem.models.rain;

import java.util.List;

/**
 * A genuine but simple model for the forecaster slot, {@value #NAME}: one linear model shared by all cells, whose
 * inputs at a cell are that cell's {@link Frame#input()} channels (normalised features, masks, coverage) in each of
 * the T window frames plus a constant 1, and whose output is the cell's rain (mm) {@code horizon} steps later. It
 * learns online: every {@link #learn} adds the observed target cells to ridge statistics (λ), and the weights are
 * re-solved every {@code refit} calls. Forecasts are {@code max(0, w·x)}; before the first solve it forecasts 0.
 */
public final class OnlineLinearGridForecaster implements RainForecaster {
    public static final String NAME = "online-linear-grid";
    private final int window;
    private final int refit;
    private final double lambda;
    private RidgeAccumulator acc;
    private double[] w;
    private int learned;

    public OnlineLinearGridForecaster(int window, double lambda, int refit) {
        if (window < 1 || refit < 1) {
            throw new IllegalArgumentException("window and refit must be >= 1, got " + window + ", " + refit);
        }
        this.window = window;
        this.refit = refit;
        this.lambda = lambda;
    }

    @Override
    public String name() {
        return NAME;
    }

    private double[] row(List<Frame> frames, int cell, double[] x) {
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

    private int dimension(List<Frame> frames) {
        if (frames.size() != window) {
            throw new IllegalArgumentException("expected a window of " + window + " frames, got " + frames.size());
        }
        return window * frames.get(0).channels() + 1;
    }

    @Override
    public float[] forecast(List<Frame> frames) {
        int d = dimension(frames);
        int n = frames.get(0).grid().cells();
        float[] out = new float[n];
        if (w == null) {
            return out;
        }
        double[] x = new double[d];
        for (int k = 0; k < n; k++) {
            out[k] = (float) Math.max(0, RidgeAccumulator.dot(w, row(frames, k, x)));
        }
        return out;
    }

    @Override
    public void learn(List<Frame> frames, float[] target, float[] mask) {
        int d = dimension(frames);
        if (acc == null) {
            acc = new RidgeAccumulator(d, lambda);
        }
        double[] x = new double[d];
        boolean any = false;
        for (int k = 0; k < target.length; k++) {
            if (mask[k] > 0) {
                acc.add(row(frames, k, x), target[k]);
                any = true;
            }
        }
        if (any && ++learned % refit == 0) {
            w = acc.solve();
        }
    }
}
