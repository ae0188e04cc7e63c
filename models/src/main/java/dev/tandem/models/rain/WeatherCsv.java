package dev.tandem.models.rain;

import dev.tandem.models.data.CsvFiles;
import dev.tandem.models.gearbox.VibrationManifest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads Tandem's canonical long-format weather CSV (ARCHITECTURE.md, "Canonical files"; docs/RAINFALL.md): one row
 * per station and time with the columns {@code time, station, lat, lon, rain_mm} in any order, and any further
 * numeric columns as features.
 *
 * <ul>
 *   <li>The file may be gzip-compressed (recognised by its content) and need not be sorted; {@link Table#readings()}
 *       come back sorted by time, then station.</li>
 *   <li>{@code time}: an ISO date ({@code 2008-12-01}, midnight UTC), an ISO date-time with an offset
 *       ({@code 2008-12-01T09:00:00Z}, {@code …+10:00}) or without one (read as UTC), or epoch milliseconds
 *       (digits only).</li>
 *   <li>An empty field, {@code NA} or {@code NaN} is a missing value (NaN in {@link Reading#values()});
 *       {@code rain_mm} may be missing, {@code time}, {@code station}, {@code lat}, {@code lon} may not.</li>
 *   <li>Feature 0 is always {@code rain_mm}; the others follow in column order. A column whose non-empty values
 *       are not all numbers is not a feature: it is dropped and reported in {@link Table#notes()}.</li>
 *   <li>A bad row (wrong field count, missing or unreadable time, station, lat or lon, lat outside [-90, 90],
 *       lon outside [-180, 180], a negative or non-finite rain value) is skipped and counted; the first
 *       {@value #MAX_REPORTED} are described with their 1-based line in {@link Table#problems()}. A missing
 *       required column fails the whole file with an {@link IOException} naming it.</li>
 * </ul>
 */
public final class WeatherCsv {
    public static final String TIME = "time";
    public static final String STATION = "station";
    public static final String LAT = "lat";
    public static final String LON = "lon";
    public static final String RAIN = "rain_mm";
    public static final List<String> REQUIRED = List.of(TIME, STATION, LAT, LON, RAIN);
    static final int MAX_REPORTED = 20;

    /** One row: {@code values[f]} is feature f of {@link Table#features()} (NaN when missing). */
    public record Reading(long time, String station, double lat, double lon, double[] values) {
        public double rainMm() {
            return values[0];
        }
    }

    /**
     * The rows that were read, sorted by time then station; {@code badRows} rows were skipped, the first of them
     * described in {@code problems}; {@code notes} say which columns were dropped and why.
     */
    public record Table(Path file, List<String> features, List<Reading> readings, int badRows, List<String> problems,
                        List<String> notes) {
    }

    private WeatherCsv() {
    }

    public static Table read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        try (BufferedReader in = CsvFiles.reader(file)) {
            String header = in.readLine();
            int lineNo = 1;
            while (header != null && header.isBlank()) {
                header = in.readLine();
                lineNo++;
            }
            if (header == null) {
                throw new IOException(file + ": empty file (expected a header with " + String.join(", ", REQUIRED) + ")");
            }
            if (header.startsWith("\uFEFF")) {
                header = header.substring(1);
            }
            List<String> names = CsvFiles.split(header, file, lineNo);
            int[] req = new int[REQUIRED.size()];
            for (int k = 0; k < REQUIRED.size(); k++) {
                req[k] = names.indexOf(REQUIRED.get(k));
                if (req[k] < 0) {
                    throw CsvFiles.error(file, lineNo, "missing column '" + REQUIRED.get(k) + "' (header: "
                            + CsvFiles.abbreviate(String.join(",", names), 200) + "; required: " + String.join(", ", REQUIRED) + ")");
                }
            }
            List<Integer> extraCols = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                // a column named twice is ambiguous (which one is the station, which the feature?), as a JSON key
                // given twice is: refused (found by fuzzing: "x,x" made two features named x)
                int first = names.indexOf(names.get(c));
                if (first != c) {
                    throw CsvFiles.error(file, lineNo, "column '" + abbreviate(names.get(c)) + "' appears twice"
                            + " (columns " + (first + 1) + " and " + (c + 1) + ")");
                }
                if (!REQUIRED.contains(names.get(c))) {
                    if (names.get(c).isEmpty()) {
                        throw CsvFiles.error(file, lineNo, "column " + (c + 1) + " has no name");
                    }
                    extraCols.add(c);
                }
            }
            int nf = 1 + extraCols.size();
            boolean[] numeric = new boolean[nf];
            Arrays.fill(numeric, true);
            String[] firstBad = new String[nf];
            List<Reading> rows = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            int bad = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String problem;
                try {
                    List<String> f = CsvFiles.split(line, file, lineNo);
                    problem = f.size() != names.size()
                            ? f.size() + " fields, the header has " + names.size() : null;
                    if (problem == null) {
                        long time = parseTime(f.get(req[0]));
                        String station = f.get(req[1]);
                        if (station.isEmpty()) {
                            throw new IllegalArgumentException("missing station");
                        }
                        double lat = parseRequired(f.get(req[2]), LAT);
                        double lon = parseRequired(f.get(req[3]), LON);
                        if (lat < -90 || lat > 90) {
                            throw new IllegalArgumentException("lat " + abbreviate(f.get(req[2])) + " outside [-90, 90]");
                        }
                        if (lon < -180 || lon > 180) {
                            throw new IllegalArgumentException("lon " + abbreviate(f.get(req[3])) + " outside [-180, 180]");
                        }
                        double[] v = new double[nf];
                        v[0] = parseOptional(f.get(req[4]));
                        if (Double.isInfinite(v[0]) || v[0] < 0 || (Double.isNaN(v[0]) && !isMissing(f.get(req[4])))) {
                            throw new IllegalArgumentException("rain_mm '" + abbreviate(f.get(req[4])) + "' is not a number >= 0");
                        }
                        for (int k = 0; k < extraCols.size(); k++) {
                            String s = f.get(extraCols.get(k));
                            double x = parseOptional(s);
                            if (Double.isNaN(x) && !isMissing(s)) {
                                if (numeric[k + 1]) {
                                    numeric[k + 1] = false;
                                    firstBad[k + 1] = "line " + lineNo + ": '" + abbreviate(s) + "'";
                                }
                            }
                            v[k + 1] = Double.isFinite(x) ? x : Double.NaN;
                        }
                        rows.add(new Reading(time, station, lat, lon, v));
                    }
                } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
                    problem = e.getMessage();
                }
                if (problem != null) {
                    bad++;
                    if (problems.size() < MAX_REPORTED) {
                        problems.add(file.getFileName() + ":" + lineNo + ": " + CsvFiles.printable(problem));
                    }
                }
            }
            List<String> notes = new ArrayList<>();
            List<String> features = new ArrayList<>(List.of(RAIN));
            int[] keep = new int[nf];
            int kept = 1;
            for (int k = 0; k < extraCols.size(); k++) {
                String name = names.get(extraCols.get(k));
                if (numeric[k + 1]) {
                    features.add(name);
                    keep[kept++] = k + 1;
                } else {
                    notes.add("column '" + name + "' is not numeric (first at " + firstBad[k + 1] + "); not a feature");
                }
            }
            if (kept < nf) {
                int[] idx = Arrays.copyOf(keep, kept);
                for (int i = 0; i < rows.size(); i++) {
                    Reading r = rows.get(i);
                    double[] v = new double[kept];
                    for (int j = 0; j < kept; j++) {
                        v[j] = r.values()[idx[j]];
                    }
                    rows.set(i, new Reading(r.time(), r.station(), r.lat(), r.lon(), v));
                }
            }
            rows.sort((a, b) -> a.time() != b.time() ? Long.compare(a.time(), b.time())
                    : a.station().compareTo(b.station()));
            return new Table(file, List.copyOf(features), rows, bad, List.copyOf(problems), List.copyOf(notes));
        }
    }

    /** ISO date (midnight UTC), ISO date-time with or without offset (UTC), or epoch milliseconds. */
    public static long parseTime(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("missing time");
        }
        boolean digits = true;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch >= '0' && ch <= '9') && !(i == 0 && ch == '-')) {
                digits = false;
                break;
            }
        }
        try {
            if (digits) {
                return Long.parseLong(s);
            }
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            if (s.endsWith("Z") || s.endsWith("z")) {
                return Instant.parse(s.toUpperCase(Locale.ROOT)).toEpochMilli();
            }
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            // ArithmeticException: a valid ISO time beyond the epoch-millisecond range (year +999999999), found by
            // fuzzing; it used to escape read() and fail the whole file
            throw new IllegalArgumentException("time '" + abbreviate(s)
                    + "' is not an ISO date, ISO date-time or epoch milliseconds");
        }
    }

    static boolean isMissing(String s) {
        return s.isEmpty() || s.equals("NA") || s.equalsIgnoreCase("nan");
    }

    private static double parseOptional(String s) {
        if (isMissing(s)) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static double parseRequired(String s, String what) {
        double x = parseOptional(s);
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException(isMissing(s) ? "missing " + what : what + " '" + abbreviate(s) + "' is not a number");
        }
        return x;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

}
