package dev.tandem.models.rain;

import java.util.HashSet;
import java.util.Set;

/**
 * A regular latitude/longitude grid: cell (r, c) is centred at ({@code lat0 + r·dlat}, {@code lon0 + c·dlon});
 * row 0 is the southern edge when dlat &gt; 0. Cells are stored row-major, index {@code r·cols + c}. A point belongs to
 * the cell whose centre is nearest in each coordinate (so a cell spans ±dlat/2, ±dlon/2 around its centre).
 */
public record Grid(int rows, int cols, double lat0, double lon0, double dlat, double dlon) implements java.io.Serializable {
    /** Resolutions (degrees) the automatic grid chooses from, fine to coarse. */
    public static final double[] LADDER = {0.01, 0.02, 0.025, 0.05, 0.1, 0.125, 0.2, 0.25, 0.5, 0.75, 1, 1.25, 1.5,
            2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 30, 45, 90};

    public Grid {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a grid needs rows, cols >= 1, got " + rows + " x " + cols);
        }
        if (!(dlat > 0) || !(dlon > 0) || !Double.isFinite(dlat) || !Double.isFinite(dlon)) {
            throw new IllegalArgumentException("grid spacing must be finite and > 0, got " + dlat + ", " + dlon);
        }
    }

    public int cells() {
        return rows * cols;
    }

    public double latOf(int r) {
        return lat0 + r * dlat;
    }

    public double lonOf(int c) {
        return lon0 + c * dlon;
    }

    /** The cell holding the point, or -1 when it lies outside the grid. */
    public int cellOf(double lat, double lon) {
        long r = Math.round((lat - lat0) / dlat);
        long c = Math.round((lon - lon0) / dlon);
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            return -1;
        }
        return (int) (r * cols + c);
    }

    /**
     * The value of a grid field at a point: the value of the point's own cell (no interpolation: with stations in
     * distinct cells this returns exactly what the rasterizer put there); NaN outside the grid.
     */
    public float sample(float[] field, double lat, double lon) {
        int k = cellOf(lat, lon);
        return k < 0 ? Float.NaN : field[k];
    }

    /** The grid of resolution res (degrees) whose corner cells are centred on (latMin, lonMin). */
    public static Grid covering(double latMin, double latMax, double lonMin, double lonMax, double res) {
        int rows = (int) Math.floor((latMax - latMin) / res + 1e-9) + 1;
        int cols = (int) Math.floor((lonMax - lonMin) / res + 1e-9) + 1;
        if (latMin + (rows - 1) * res + res / 2 <= latMax) {
            rows++;
        }
        if (lonMin + (cols - 1) * res + res / 2 <= lonMax) {
            cols++;
        }
        return new Grid(rows, cols, latMin, lonMin, res, res);
    }

    /** The grid of a configured box at the finest resolution of {@link #LADDER} with at most maxSide rows and columns. */
    public static Grid fitting(double latMin, double latMax, double lonMin, double lonMax, int maxSide) {
        if (!(latMax >= latMin) || !(lonMax >= lonMin)) {
            throw new IllegalArgumentException("grid box needs lat_min <= lat_max and lon_min <= lon_max, got "
                    + latMin + ", " + latMax + ", " + lonMin + ", " + lonMax);
        }
        for (double res : LADDER) {
            Grid g = covering(latMin, latMax, lonMin, lonMax, res);
            if (g.rows() <= maxSide && g.cols() <= maxSide) {
                return g;
            }
        }
        double res = Math.max(latMax - latMin, lonMax - lonMin) / Math.max(1, maxSide - 1) * (1 + 1e-9);
        return covering(latMin, latMax, lonMin, lonMax, res);
    }

    /** How many distinct cells the points fall in (points outside the grid are not counted). */
    public int distinctCells(double[] lats, double[] lons) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < lats.length; i++) {
            int k = cellOf(lats[i], lons[i]);
            if (k >= 0) {
                s.add(k);
            }
        }
        return s.size();
    }

    /**
     * The grid of the stations' bounding box: the coarsest resolution of {@link #LADDER} at which every station has
     * a cell of its own, if such a grid has at most maxSide rows and columns; otherwise the finest resolution whose
     * grid fits maxSide × maxSide (stations then share cells: check {@link #distinctCells}).
     */
    public static Grid fromStations(double[] lats, double[] lons, int maxSide) {
        if (lats.length == 0) {
            throw new IllegalArgumentException("no stations to build a grid from");
        }
        if (maxSide < 1) {
            throw new IllegalArgumentException("maxSide must be >= 1, got " + maxSide);
        }
        double latMin = Double.POSITIVE_INFINITY;
        double latMax = Double.NEGATIVE_INFINITY;
        double lonMin = Double.POSITIVE_INFINITY;
        double lonMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < lats.length; i++) {
            latMin = Math.min(latMin, lats[i]);
            latMax = Math.max(latMax, lats[i]);
            lonMin = Math.min(lonMin, lons[i]);
            lonMax = Math.max(lonMax, lons[i]);
        }
        int distinctPoints = new Grid(1, 1, 0, 0, 1, 1).distinctPoints(lats, lons);
        Grid finestFitting = null;
        for (int k = LADDER.length - 1; k >= 0; k--) {
            Grid g = covering(latMin, latMax, lonMin, lonMax, LADDER[k]);
            if (g.rows() > maxSide || g.cols() > maxSide) {
                break;
            }
            if (g.distinctCells(lats, lons) == distinctPoints) {
                return g;
            }
            finestFitting = g;
        }
        if (finestFitting != null) {
            return finestFitting;
        }
        double res = Math.max(latMax - latMin, lonMax - lonMin) / Math.max(1, maxSide - 1) * (1 + 1e-9);
        return covering(latMin, latMax, lonMin, lonMax, res);
    }

    private int distinctPoints(double[] lats, double[] lons) {
        Set<String> s = new HashSet<>();
        for (int i = 0; i < lats.length; i++) {
            s.add(lats[i] + "," + lons[i]);
        }
        return s.size();
    }
}
