package dev.tandem.models.rain;

import java.util.List;

/**
 * One region's frame for one time step, from {@link Rasterizer}. Every array is row-major over the grid's cells;
 * feature arrays are feature-major ({@code [f · cells + cell]}).
 *
 * @param values   normalised features (0 where masked)
 * @param masks    1 where feature f has a value in that cell (a station with it in the cell or within the radius),
 *                 else 0 — a missing value is masked, never a silent zero
 * @param coverage 1 where any station lies within the radius of the cell centre, else 0
 * @param rainMm   observed rain (mm, not normalised) in cells that hold a station with rain, else 0: the target
 * @param rainMask 1 where {@code rainMm} is observed
 */
public record Frame(Grid grid, long step, List<String> features, float[] values, float[] masks, float[] coverage,
                    float[] rainMm, float[] rainMask) {

    /** Channels of {@link #input()}: the F features, their F masks, the coverage. */
    public int channels() {
        return 2 * features.size() + 1;
    }

    /** The model input C × H × W (C = {@link #channels()}): values, masks, coverage. */
    public float[] input() {
        int n = grid.cells();
        int f = features.size();
        float[] x = new float[(2 * f + 1) * n];
        System.arraycopy(values, 0, x, 0, f * n);
        System.arraycopy(masks, 0, x, f * n, f * n);
        System.arraycopy(coverage, 0, x, 2 * f * n, n);
        return x;
    }

    /** Whether any cell has observed rain. */
    public boolean hasRain() {
        for (float m : rainMask) {
            if (m > 0) {
                return true;
            }
        }
        return false;
    }
}
