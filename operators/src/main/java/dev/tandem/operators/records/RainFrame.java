package dev.tandem.operators.records;

import dev.tandem.learning.rain.Frame;
import dev.tandem.learning.rain.Grid;

import java.util.Arrays;
import java.util.List;

/**
 * A region's rasterized frame for one time step (the Flink form of {@link Frame}, a Kryo-free POJO): the grid,
 * the step, the features and the frame's arrays. {@code revision} is 0 when the frame is first emitted (its step's
 * end passed the watermark) and counts up with every late reading that updated it within the allowed lateness.
 */
public class RainFrame {
    public String region;
    public long step;
    /** First instant of the step, epoch ms. */
    public long time;
    public int revision;
    public int readings;
    public int rows;
    public int cols;
    public double lat0;
    public double lon0;
    public double dlat;
    public double dlon;
    public String[] features;
    public float[] values;
    public float[] masks;
    public float[] coverage;
    public float[] rainMm;
    public float[] rainMask;

    public RainFrame() {
    }

    public static RainFrame of(String region, long time, int revision, int readings, Frame f) {
        RainFrame r = new RainFrame();
        r.region = region;
        r.step = f.step();
        r.time = time;
        r.revision = revision;
        r.readings = readings;
        Grid g = f.grid();
        r.rows = g.rows();
        r.cols = g.cols();
        r.lat0 = g.lat0();
        r.lon0 = g.lon0();
        r.dlat = g.dlat();
        r.dlon = g.dlon();
        r.features = f.features().toArray(new String[0]);
        r.values = f.values();
        r.masks = f.masks();
        r.coverage = f.coverage();
        r.rainMm = f.rainMm();
        r.rainMask = f.rainMask();
        return r;
    }

    public Frame toFrame() {
        return new Frame(new Grid(rows, cols, lat0, lon0, dlat, dlon), step, List.of(features), values, masks, coverage,
                rainMm, rainMask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RainFrame r && step == r.step && time == r.time && revision == r.revision
                && readings == r.readings && rows == r.rows && cols == r.cols && lat0 == r.lat0 && lon0 == r.lon0
                && dlat == r.dlat && dlon == r.dlon && java.util.Objects.equals(region, r.region)
                && Arrays.equals(features, r.features) && Arrays.equals(values, r.values)
                && Arrays.equals(masks, r.masks) && Arrays.equals(coverage, r.coverage)
                && Arrays.equals(rainMm, r.rainMm) && Arrays.equals(rainMask, r.rainMask);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(region, step, revision);
    }

    @Override
    public String toString() {
        return "RainFrame{" + region + " step " + step + " rev " + revision + ", " + readings + " readings, " + rows + "x"
                + cols + "}";
    }
}
