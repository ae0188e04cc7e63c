package dev.tandem.operators.rain;

import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.StationRain;

import java.util.Arrays;
import java.util.List;

/**
 * One region's frame of one time step, as it flows from the rasterizer to the trainer (a Flink POJO; no Kryo): the
 * grid, the {@link Frame} arrays (normalised features, their masks, coverage, the observed rain target and its mask)
 * and the stations of the step with their observed rain (the sum of their readings in the step; NaN when missing),
 * which the trainer scores forecasts against and interpolates forecasts back to.
 */
public class RainFrame {
    public String region;
    /** Time-step index ({@code TimeStep.index}) and the step's first instant and end (exclusive), epoch ms. */
    public long step;
    public long start;
    public long end;
    public int rows;
    public int cols;
    public double lat0;
    public double lon0;
    public double dlat;
    public double dlon;
    public String[] features = new String[0];
    public float[] values = new float[0];
    public float[] masks = new float[0];
    public float[] coverage = new float[0];
    public float[] rainMm = new float[0];
    public float[] rainMask = new float[0];
    public String[] stations = new String[0];
    public double[] stationLat = new double[0];
    public double[] stationLon = new double[0];
    public float[] stationRain = new float[0];
    /** Readings that went into the frame. */
    public int readings;

    public RainFrame() {
    }

    public Grid grid() {
        return new Grid(rows, cols, lat0, lon0, dlat, dlon);
    }

    public void setGrid(Grid g) {
        rows = g.rows();
        cols = g.cols();
        lat0 = g.lat0();
        lon0 = g.lon0();
        dlat = g.dlat();
        dlon = g.dlon();
    }

    /** The engine's view of this frame. */
    public Frame toFrame() {
        return new Frame(grid(), step, List.of(features), values, masks, coverage, rainMm, rainMask);
    }

    /** The step's stations and their observed rain (arrays shared, not copied). */
    public StationRain stations() {
        return new StationRain(stations, stationLat, stationLon, stationRain);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RainFrame f && region.equals(f.region) && step == f.step && start == f.start && end == f.end
                && grid().equals(f.grid()) && Arrays.equals(features, f.features) && Arrays.equals(values, f.values)
                && Arrays.equals(masks, f.masks) && Arrays.equals(coverage, f.coverage) && Arrays.equals(rainMm, f.rainMm)
                && Arrays.equals(rainMask, f.rainMask) && Arrays.equals(stations, f.stations)
                && Arrays.equals(stationLat, f.stationLat) && Arrays.equals(stationLon, f.stationLon)
                && Arrays.equals(stationRain, f.stationRain) && readings == f.readings;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(step) * 31 + (region == null ? 0 : region.hashCode());
    }

    @Override
    public String toString() {
        return "RainFrame{" + region + " step " + step + ", " + rows + "x" + cols + ", " + readings + " readings}";
    }
}
