package dev.tandem.models.rain;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The region's forecast as a learned combination of the network and three online baselines, so it is never much
 * worse than the best simple forecaster on any network (docs/RAINFALL.md, "The combination"). Components, in this
 * order ({@link #COMPONENTS}): the forecaster (the ConvLSTM), <b>persistence</b> (each cell's latest observed rain),
 * <b>climatology</b> ({@link CellClimatology}: the cell's mean rain in the target step's calendar month) and
 * <b>linear</b> ({@link CellLinearExperts}: a ridge regression per cell and lead). All three learn only from frames
 * already seen. For each lead k = 1..H the forecast is {@code Σ_i w_i f_i} with weights from an {@link AdaHedge} (with
 * fixed share) over
 * each component's own prequential mean squared error per scored frame — a parameter-free rule, so there is nothing
 * to tune per network. The probability of rain ≥ the threshold is, per lead, an AdaHedge mixture (on the Brier
 * score) of the cell's climatological frequency and a {@link RainCalibration} of the combined amount.
 */
public final class ExpertCombination {
    /** The components after the forecaster's own (index 0). */
    public static final List<String> BASELINES = List.of("persistence", "climatology", "linear");
    public static final int COMPONENTS = 1 + BASELINES.size();
    final TimeStep timeStep;
    final double threshold;
    final int horizon;
    final int cells;
    /** Latest observed rain per cell, and 1 where a cell has been observed. */
    final float[] lastRain;
    final float[] seen;
    final CellClimatology climatology;
    final CellLinearExperts linear;
    final AdaHedge[] hedge;
    final RainCalibration[] calibration;
    /** Per lead: AdaHedge over the Brier score of [climatological probability, calibrated probability]. */
    final AdaHedge[] probabilityHedge;

    public ExpertCombination(TimeStep timeStep, double threshold, int horizon, int cells) {
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("rain threshold must be > 0 mm, got " + threshold);
        }
        this.timeStep = timeStep;
        this.threshold = threshold;
        this.horizon = horizon;
        this.cells = cells;
        lastRain = new float[cells];
        seen = new float[cells];
        climatology = new CellClimatology(cells, threshold);
        linear = new CellLinearExperts(horizon, cells);
        hedge = new AdaHedge[horizon];
        calibration = new RainCalibration[horizon];
        probabilityHedge = new AdaHedge[horizon];
        for (int k = 0; k < horizon; k++) {
            hedge[k] = new AdaHedge(COMPONENTS);
            calibration[k] = new RainCalibration(threshold);
            probabilityHedge[k] = new AdaHedge(2);
        }
    }

    public TimeStep timeStep() {
        return timeStep;
    }

    public double threshold() {
        return threshold;
    }

    /** The current weights of the components for lead k (1..H). */
    public double[] weights(int lead) {
        return hedge[lead - 1].weights();
    }

    /**
     * Scores a forecast whose step is now observed: each component's mean squared error over the observed cells is
     * one round of its lead's AdaHedge; the combined amount and the outcome go to the lead's calibration; the Brier
     * scores of the climatological and of the calibrated probability are a round of the lead's probability hedge.
     */
    public void score(RegionState.Pending p, float[] rainMm, float[] mask) {
        if (p.components() == null) {
            return; // restored from a format without components
        }
        double[] loss = new double[p.components().length];
        double[] brier = new double[2];
        int n = 0;
        for (int k = 0; k < cells; k++) {
            if (mask[k] > 0 && Float.isFinite(rainMm[k])) {
                n++;
                for (int i = 0; i < loss.length; i++) {
                    double d = p.components()[i][k] - rainMm[k];
                    loss[i] += d * d;
                }
                double o = rainMm[k] >= threshold ? 1 : 0;
                brier[0] += (p.climate()[k] - o) * (p.climate()[k] - o);
                brier[1] += (p.calibrated()[k] - o) * (p.calibrated()[k] - o);
            }
        }
        if (n == 0) {
            return;
        }
        for (int i = 0; i < loss.length; i++) {
            loss[i] /= n;
        }
        hedge[p.lead() - 1].update(loss);
        probabilityHedge[p.lead() - 1].update(new double[] {brier[0] / n, brier[1] / n});
        calibration[p.lead() - 1].observe(p.rainMm(), p.climate(), rainMm, mask);
    }

    /**
     * Learns from a new frame: {@code frames} are the kept frames before it (oldest first); for each lead k whose
     * window ends k frames before this one, the linear expert learns that window → this frame's rain; then the
     * climatology and persistence take the frame in.
     */
    public void learn(List<Frame> frames, int window, Frame frame) {
        int n = frames.size();
        for (int k = 1; k <= horizon; k++) {
            int from = n - k - window + 1;
            if (from >= 0) {
                linear.learn(k, frames.subList(from, n - k + 1), frame.rainMm(), frame.rainMask());
            }
        }
        climatology.observe(timeStep.month(frame.step()), frame.rainMm(), frame.rainMask());
        for (int k = 0; k < cells; k++) {
            if (frame.rainMask()[k] > 0 && Float.isFinite(frame.rainMm()[k])) {
                lastRain[k] = frame.rainMm()[k];
                seen[k] = 1;
            }
        }
    }

    /** The forecasts for steps {@code step + 1 .. step + H} from the newest window and the forecaster's own leads. */
    public List<RegionState.Pending> forecast(long step, List<Frame> window, float[][] forecasterLeads) {
        List<RegionState.Pending> out = new ArrayList<>(horizon);
        for (int k = 1; k <= horizon; k++) {
            int month = timeStep.month(step + k);
            float[] clim = climatology.mean(month);
            float[] pers = new float[cells];
            for (int c = 0; c < cells; c++) {
                pers[c] = seen[c] > 0 ? lastRain[c] : clim[c];
            }
            float[] lin = linear.forecast(k, window, clim);
            float[][] comp = {forecasterLeads[k - 1].clone(), pers, clim, lin};
            for (float[] f : comp) {
                for (int c = 0; c < cells; c++) {
                    if (!Float.isFinite(f[c])) {
                        // a diverged component (a non-finite input) forecasts climatology there: its loss stays
                        // finite, its weight falls, and the combination stays finite
                        f[c] = Float.isFinite(clim[c]) ? clim[c] : 0;
                    }
                }
            }
            double[] w = hedge[k - 1].weights();
            float[] combined = new float[cells];
            for (int c = 0; c < cells; c++) {
                double s = 0;
                for (int i = 0; i < comp.length; i++) {
                    s += w[i] * comp[i][c];
                }
                combined[c] = (float) Math.max(0, s);
            }
            float[] wet = climatology.wetFrequency(month);
            float[] calibrated = calibration[k - 1].probability(combined, wet);
            double[] pw = probabilityHedge[k - 1].weights();
            float[] prob = new float[cells];
            for (int c = 0; c < cells; c++) {
                prob[c] = (float) (pw[0] * wet[c] + pw[1] * calibrated[c]);
            }
            out.add(new RegionState.Pending(step + k, combined, k, prob, wet, calibrated, comp, w));
        }
        return out;
    }

    /**
     * Writes everything the combination learned (exactly: a restored one forecasts and learns as the original):
     * the time step, threshold, horizon and cells, persistence, the climatology counters, the linear experts'
     * inverse matrices and weights, the AdaHedge
     * log-weights, gaps and rounds, the calibration and probability hedge.
     */
    public void write(DataOutput out) throws IOException {
        out.writeBoolean(timeStep.monthly());
        out.writeLong(timeStep.millis());
        out.writeDouble(threshold);
        out.writeInt(horizon);
        out.writeInt(cells);
        for (int k = 0; k < cells; k++) {
            out.writeFloat(lastRain[k]);
            out.writeFloat(seen[k]);
        }
        for (int i = 0; i < climatology.sum.length; i++) {
            out.writeDouble(climatology.sum[i]);
            out.writeLong(climatology.count[i]);
            out.writeLong(climatology.wet[i]);
        }
        out.writeDouble(climatology.regionSum);
        out.writeLong(climatology.regionCount);
        out.writeLong(climatology.regionWet);
        for (int h = 0; h < horizon; h++) {
            for (int k = 0; k < cells; k++) {
                RecursiveRidge a = linear.acc[h][k];
                if (a == null) {
                    out.writeInt(0);
                    continue;
                }
                out.writeInt(a.d);
                out.writeLong(a.rows);
                for (double v : a.p) {
                    out.writeDouble(v);
                }
                for (double v : a.w) {
                    out.writeDouble(v);
                }
            }
            writeHedge(out, hedge[h]);
            for (int b = 0; b < calibration[h].count.length; b++) {
                out.writeLong(calibration[h].count[b]);
                out.writeDouble(calibration[h].residual[b]);
            }
            writeHedge(out, probabilityHedge[h]);
        }
    }

    /** Reads what {@link #write} wrote. */
    public static ExpertCombination read(DataInput in) throws IOException {
        boolean monthly = in.readBoolean();
        long millis = in.readLong();
        double threshold = in.readDouble();
        int horizon = in.readInt();
        int cells = in.readInt();
        if (horizon < 1 || horizon > 1 << 16 || cells < 1 || cells > 1 << 24) {
            throw new IOException("corrupt combination: horizon " + horizon + ", cells " + cells);
        }
        ExpertCombination c;
        try {
            c = new ExpertCombination(new TimeStep(millis, monthly), threshold, horizon, cells);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt combination: " + e.getMessage(), e);
        }
        for (int k = 0; k < cells; k++) {
            c.lastRain[k] = in.readFloat();
            c.seen[k] = in.readFloat();
        }
        for (int i = 0; i < c.climatology.sum.length; i++) {
            c.climatology.sum[i] = in.readDouble();
            c.climatology.count[i] = in.readLong();
            c.climatology.wet[i] = in.readLong();
        }
        c.climatology.regionSum = in.readDouble();
        c.climatology.regionCount = in.readLong();
        c.climatology.regionWet = in.readLong();
        for (int h = 0; h < horizon; h++) {
            for (int k = 0; k < cells; k++) {
                int d = in.readInt();
                if (d == 0) {
                    continue;
                }
                if (d < 0 || d > 1 << 14) {
                    throw new IOException("corrupt linear expert dimension " + d);
                }
                long rows = in.readLong();
                double[] p = new double[d * d];
                for (int i = 0; i < p.length; i++) {
                    p[i] = in.readDouble();
                }
                double[] w = new double[d];
                for (int i = 0; i < d; i++) {
                    w[i] = in.readDouble();
                }
                c.linear.acc[h][k] = RecursiveRidge.restored(d, p, w, rows);
            }
            c.hedge[h] = readHedge(in, COMPONENTS);
            for (int b = 0; b < c.calibration[h].count.length; b++) {
                c.calibration[h].count[b] = in.readLong();
                c.calibration[h].residual[b] = in.readDouble();
            }
            c.probabilityHedge[h] = readHedge(in, 2);
        }
        return c;
    }

    private static void writeHedge(DataOutput out, AdaHedge a) throws IOException {
        for (double v : a.logWeights()) {
            out.writeDouble(v);
        }
        out.writeDouble(a.gap());
        out.writeLong(a.rounds());
    }

    private static AdaHedge readHedge(DataInput in, int experts) throws IOException {
        double[] l = new double[experts];
        for (int i = 0; i < experts; i++) {
            l[i] = in.readDouble();
        }
        return AdaHedge.restored(l, in.readDouble(), in.readLong());
    }
}
