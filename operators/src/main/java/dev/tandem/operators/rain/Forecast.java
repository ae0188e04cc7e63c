package dev.tandem.operators.rain;

import java.util.Arrays;
import java.util.Objects;

/**
 * A rainfall forecast (topic {@code rain-forecasts}, key = region): the grid, the forecast rain (mm) of every cell
 * ({@code rain_mm}, rows × cols, row 0 at {@code lat0}), the same values at the stations (the value of the station's
 * cell), the model version that made it, and the prequential score of the forecast that was valid for the step just
 * observed ({@code previous_mse} over {@code scored_stations} stations; absent when there was none).
 *
 * <p>The top-level values are the lead-H forecast (H = {@code rainfall.horizon}); {@code leads} holds every lead
 * 1..H. Each carries, per cell and station, the probability of rain ≥ {@code threshold_mm}, and the weights with
 * which the {@code components} (the network, persistence, climatology, linear) were combined.
 */
public class Forecast {
    /** The grid: cell (r, c) is centred at (lat0 + r·dlat, lon0 + c·dlon). */
    public static class GridSpec {
        public int rows;
        public int cols;
        public double lat0;
        public double lon0;
        public double dlat;
        public double dlon;

        public GridSpec() {
        }

        public GridSpec(int rows, int cols, double lat0, double lon0, double dlat, double dlon) {
            this.rows = rows;
            this.cols = cols;
            this.lat0 = lat0;
            this.lon0 = lon0;
            this.dlat = dlat;
            this.dlon = dlon;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GridSpec g && rows == g.rows && cols == g.cols && lat0 == g.lat0 && lon0 == g.lon0
                    && dlat == g.dlat && dlon == g.dlon;
        }

        @Override
        public int hashCode() {
            return Objects.hash(rows, cols, lat0, lon0, dlat, dlon);
        }
    }

    /** The forecast at one station (the value of its grid cell). */
    public static class StationValue {
        public String station;
        public double lat;
        public double lon;
        public float rainMm;
        /** Probability of rain ≥ the forecast's threshold at the station. */
        public float probability;

        public StationValue() {
        }

        public StationValue(String station, double lat, double lon, float rainMm) {
            this(station, lat, lon, rainMm, Float.NaN);
        }

        public StationValue(String station, double lat, double lon, float rainMm, float probability) {
            this.station = station;
            this.lat = lat;
            this.lon = lon;
            this.rainMm = rainMm;
            this.probability = probability;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StationValue s && Objects.equals(station, s.station) && lat == s.lat && lon == s.lon
                    && Float.compare(rainMm, s.rainMm) == 0 && Float.compare(probability, s.probability) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(station, rainMm);
        }
    }

    /** The forecast for one lead: the step {@code lead} steps after the last observed one. */
    public static class Lead {
        public int lead;
        public long validAt;
        public long validUntil;
        public float[][] rainMm;
        public float[][] probability;
        /** Weights of {@link Forecast#components}, in that order (sum 1). */
        public double[] weights;
        public StationValue[] stations;

        public Lead() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Lead l && lead == l.lead && validAt == l.validAt && validUntil == l.validUntil
                    && Arrays.deepEquals(rainMm, l.rainMm) && Arrays.deepEquals(probability, l.probability)
                    && Arrays.equals(weights, l.weights) && Arrays.equals(stations, l.stations);
        }

        @Override
        public int hashCode() {
            return Objects.hash(lead, validAt);
        }
    }

    public String region;
    /** End of the last observed step (the data the forecast is made from), epoch ms. */
    public long issuedAt;
    /** The forecast step: its first instant and its end (exclusive), epoch ms. */
    public long validAt;
    public long validUntil;
    public GridSpec grid;
    public float[][] rainMm;
    public StationValue[] stations;
    /** Probability of rain ≥ {@link #thresholdMm} per cell (rows × cols), lead H. */
    public float[][] probability;
    public double thresholdMm;
    /** What was combined: the network's name, then persistence, climatology, linear. */
    public String[] components;
    /** The components' weights in the lead-H forecast. */
    public double[] weights;
    /** Every lead 1..H (the last is the top-level forecast). */
    public Lead[] leads;
    /** Optimizer steps of the region's model when it made this forecast. */
    public long modelVersion;
    /**
     * {@code ModelHash} (16 hex digits) of the ConvLSTM's weights that made this forecast: what a model file exported
     * from a savepoint taken now hashes to ({@code tandem export-model}).
     */
    public String modelHash;
    /**
     * Hash of the weights this frame's learning step started from: the previous forecast's {@code model_hash}, so a
     * chain of forecasts shows that a model restored from a checkpoint is the one checkpointed, bit for bit.
     */
    public String previousModelHash;
    /** Mean squared error (mm²) at the stations of the forecast that was valid for the step just observed. */
    public Double previousMse;
    public Integer scoredStations;
    /** Wall-clock time the trainer emitted the forecast, epoch ms (for latency; not part of equality). */
    public long emittedAt;

    public Forecast() {
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Forecast f && Objects.equals(region, f.region) && issuedAt == f.issuedAt && validAt == f.validAt
                && validUntil == f.validUntil && Objects.equals(grid, f.grid) && Objects.equals(modelHash, f.modelHash)
                && Objects.equals(previousModelHash, f.previousModelHash) && Arrays.deepEquals(rainMm, f.rainMm)
                && Arrays.equals(stations, f.stations) && modelVersion == f.modelVersion
                && Objects.equals(previousMse, f.previousMse) && Objects.equals(scoredStations, f.scoredStations)
                && Arrays.deepEquals(probability, f.probability) && thresholdMm == f.thresholdMm
                && Arrays.equals(components, f.components) && Arrays.equals(weights, f.weights)
                && Arrays.equals(leads, f.leads);
    }

    @Override
    public int hashCode() {
        return Objects.hash(region, issuedAt, validAt, modelVersion);
    }

    @Override
    public String toString() {
        return "Forecast{" + region + " valid " + validAt + ", v" + modelVersion + "}";
    }
}
