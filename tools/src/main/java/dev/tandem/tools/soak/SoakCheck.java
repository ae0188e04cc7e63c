package dev.tandem.tools.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a soak's memory stayed flat: the least-squares slope of a column over the second half of the samples
 * (after warm-up), in bytes per minute, against a bound. The slope over a half, not the difference of two samples,
 * so one collection's timing does not decide it.
 */
public final class SoakCheck {
    private SoakCheck() {
    }

    /** The samples of a CSV written by {@link SoakSampler}. */
    public static List<long[]> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty() || !lines.get(0).equals(String.join(",", SoakSampler.COLUMNS))) {
            throw new IOException(csv + ": not a soak sample file (header " + String.join(",", SoakSampler.COLUMNS) + ")");
        }
        List<long[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            long[] r = new long[SoakSampler.COLUMNS.size()];
            for (int i = 0; i < r.length && i < f.length; i++) {
                r[i] = Long.parseLong(f[i].trim());
            }
            rows.add(r);
        }
        return rows;
    }

    public static int column(String name) {
        int i = SoakSampler.COLUMNS.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no soak column " + name + "; columns: " + SoakSampler.COLUMNS);
        }
        return i;
    }

    /** The rows whose time is at least half of the last row's (the part after warm-up). */
    public static List<long[]> secondHalf(List<long[]> rows) {
        if (rows.isEmpty()) {
            return rows;
        }
        long half = rows.get(rows.size() - 1)[0] / 2;
        return rows.stream().filter(r -> r[0] >= half).toList();
    }

    /**
     * The rows from the first one at which column has reached at least min (the job's own warm-up: on a loaded
     * machine it starts later than the wall clock says), or an empty list when it never does.
     */
    public static List<long[]> after(List<long[]> rows, String column, long min) {
        int c = column(column);
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i)[c] >= min) {
                return rows.subList(i, rows.size());
            }
        }
        return List.of();
    }

    /** Slopes over rows of every memory and state column, bytes per minute. */
    public static Map<String, Double> slopesOver(List<long[]> rows) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String col : List.of("heap_live_bytes", "direct_bytes", "javacpp_bytes", "javacpp_physical_bytes",
                "tandem_rss_bytes", "broker_rss_bytes", "broker_heap_live_bytes", "checkpoint_bytes")) {
            out.put(col, slopePerMinute(rows, col));
        }
        return out;
    }

    /** Least-squares slope of column over time, bytes (or units) per minute; NaN with fewer than 3 usable rows. */
    public static double slopePerMinute(List<long[]> rows, String name) {
        int c = column(name);
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (long[] r : rows) {
            if (r[c] < 0) {
                continue; // not measured
            }
            double x = r[0] / 60.0;
            double y = r[c];
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double d = n * sxx - sx * sx;
        return n < 3 || d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
    }

    /** Slopes over the second half of every memory and state column, bytes per minute. */
    public static Map<String, Double> slopes(List<long[]> rows) {
        Map<String, Double> out = new LinkedHashMap<>();
        List<long[]> half = secondHalf(rows);
        for (String col : List.of("heap_live_bytes", "direct_bytes", "javacpp_bytes", "javacpp_physical_bytes",
                "tandem_rss_bytes", "broker_rss_bytes", "broker_heap_live_bytes", "checkpoint_bytes")) {
            out.put(col, slopePerMinute(half, col));
        }
        return out;
    }

    /** Minimum, mean and maximum of a column over rows (-1 values skipped). */
    public static double[] range(List<long[]> rows, String name) {
        int c = column(name);
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        int n = 0;
        for (long[] r : rows) {
            if (r[c] >= 0) {
                min = Math.min(min, r[c]);
                max = Math.max(max, r[c]);
                sum += r[c];
                n++;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN} : new double[] {min, sum / n, max};
    }
}
