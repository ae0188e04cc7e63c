package dev.tandem.operators.rain;

import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.Rasterizer;
import dev.tandem.models.rain.TimeStep;

import java.io.Serializable;
import java.util.List;

/**
 * How readings become frames (configuration {@code rainfall.*}): the region's name, the time step, the allowed
 * lateness, the grid (a configured bounding box and resolution, or — {@code resolution} 0 — fixed from the
 * stations of the first emitted step with at most {@code maxSide} rows and columns), the features (empty: rain_mm and
 * the standard fields present in the first emitted step) and the inverse-distance weighting.
 *
 * @param bbox {@code {latMin, latMax, lonMin, lonMax}} or null
 */
public record RasterSettings(String region, String step, long allowedLatenessMs, double[] bbox, double resolution,
                             int maxSide, List<String> features, double idwPower, double idwRadiusCells)
        implements Serializable {

    public RasterSettings {
        TimeStep.parse(step);
        if (allowedLatenessMs < 0) {
            throw new IllegalArgumentException("rainfall.allowed-lateness-ms must be >= 0, got " + allowedLatenessMs);
        }
        if (resolution < 0 || !Double.isFinite(resolution)) {
            throw new IllegalArgumentException("rainfall.resolution must be >= 0 degrees, got " + resolution);
        }
        if (resolution > 0 && bbox == null) {
            throw new IllegalArgumentException("rainfall.resolution > 0 needs rainfall.bbox (the grid's extent)");
        }
        if (maxSide < 1) {
            throw new IllegalArgumentException("rainfall.grid.max-side must be >= 1, got " + maxSide);
        }
        features = List.copyOf(features);
        if (!features.isEmpty() && !features.get(0).equals("rain_mm")) {
            throw new IllegalArgumentException("rainfall.features must start with rain_mm, got " + features);
        }
        bbox = bbox == null ? null : bbox.clone();
        new Rasterizer.Settings(idwPower, idwRadiusCells);
    }

    public TimeStep timeStep() {
        return TimeStep.parse(step);
    }

    public Rasterizer.Settings idw() {
        return new Rasterizer.Settings(idwPower, idwRadiusCells);
    }

    /** The configured grid, or null when it comes from the stations. */
    public Grid configuredGrid() {
        return resolution > 0 ? Grid.covering(bbox[0], bbox[1], bbox[2], bbox[3], resolution) : null;
    }
}
