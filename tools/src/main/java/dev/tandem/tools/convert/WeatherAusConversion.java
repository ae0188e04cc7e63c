package dev.tandem.tools.convert;

import dev.tandem.models.data.CsvFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Converts the Bureau of Meteorology daily observations as compiled in the R package {@code rattle}
 * ({@code weatherAUS.csv[.gz]} + {@code locationsAUS.csv}; {@code ../shared/data/weather-aus/NOTICE.md}) into
 * Tandem's canonical long weather CSV (docs/RAINFALL.md).
 *
 * <p>Columns written, in this order: {@code time} (the ISO date, as given), {@code station} (Location),
 * {@code lat}, {@code lon} (from locationsAUS.csv, joined on {@code name}), then {@link #COLUMNS}: each source
 * column under its canonical name with the unit in the name. Wind directions (16-point compass, the direction the
 * wind comes from) become two numbers each, {@code sin} and {@code cos} of the bearing (N = 0°, E = 90°), so that
 * N and NNW are close; a calm or missing direction is missing in both. {@code NA} becomes an empty field
 * (missing).
 *
 * <p>Never written: {@code RISK_MM} and {@code RainTomorrow} — they are the next day's rain, i.e. the forecast
 * target (leakage); {@code RainToday} — it is {@code Rainfall > 1} and adds nothing.
 *
 * <p>Rows are sorted by date, then station. A row whose Location is not in locationsAUS.csv, or whose Date is
 * missing, is skipped and counted.
 */
public final class WeatherAusConversion {
    public static final String WEATHER_FILE = "weatherAUS.csv.gz";
    public static final String LOCATIONS_FILE = "locationsAUS.csv";

    /** Source column → canonical column, for the numeric columns copied as they are. */
    public static final Map<String, String> COLUMNS;
    /** Source wind-direction columns → canonical prefix ({@code _sin}, {@code _cos} appended). */
    public static final Map<String, String> DIRECTIONS;
    /** Source columns deliberately not written. */
    public static final List<String> DROPPED = List.of("RISK_MM", "RainTomorrow", "RainToday");

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Rainfall", "rain_mm");
        m.put("MinTemp", "min_temp_c");
        m.put("MaxTemp", "max_temp_c");
        m.put("Evaporation", "evaporation_mm");
        m.put("Sunshine", "sunshine_h");
        m.put("WindGustSpeed", "wind_gust_kmh");
        m.put("WindSpeed9am", "wind_9am_kmh");
        m.put("WindSpeed3pm", "wind_3pm_kmh");
        m.put("Humidity9am", "humidity_9am_pct");
        m.put("Humidity3pm", "humidity_3pm_pct");
        m.put("Pressure9am", "pressure_9am_hpa");
        m.put("Pressure3pm", "pressure_3pm_hpa");
        m.put("Cloud9am", "cloud_9am_oktas");
        m.put("Cloud3pm", "cloud_3pm_oktas");
        m.put("Temp9am", "temp_9am_c");
        m.put("Temp3pm", "temp_3pm_c");
        COLUMNS = java.util.Collections.unmodifiableMap(m);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("WindGustDir", "wind_gust_dir");
        d.put("WindDir9am", "wind_dir_9am");
        d.put("WindDir3pm", "wind_dir_3pm");
        DIRECTIONS = java.util.Collections.unmodifiableMap(d);
    }

    static final List<String> COMPASS = List.of("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW",
            "WSW", "W", "WNW", "NW", "NNW");

    public record Station(String name, double lat, double lon) {
    }

    public record Result(Path out, List<String> columns, long rows, int stations, String firstDate, String lastDate,
                         long skipped, Map<String, Long> unknownLocations) {
    }

    private WeatherAusConversion() {
    }

    /** The canonical header written. */
    public static List<String> header() {
        List<String> h = new ArrayList<>(List.of("time", "station", "lat", "lon"));
        h.addAll(COLUMNS.values());
        for (String p : DIRECTIONS.values()) {
            h.add(p + "_sin");
            h.add(p + "_cos");
        }
        return h;
    }

    /** The weather file of a data folder: weatherAUS.csv.gz or weatherAUS.csv. */
    static Path weatherFile(Path data) throws IOException {
        for (String n : List.of(WEATHER_FILE, "weatherAUS.csv")) {
            if (Files.isRegularFile(data.resolve(n))) {
                return data.resolve(n);
            }
        }
        throw new IOException(data + ": no " + WEATHER_FILE + " (nor weatherAUS.csv) in this folder");
    }

    public static Result convert(Path data, Path out) throws IOException {
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("invalid value " + data + " for --data: not a folder");
        }
        Path loc = data.resolve(LOCATIONS_FILE);
        if (!Files.isRegularFile(loc)) {
            throw new IOException(data + ": no " + LOCATIONS_FILE + " in this folder");
        }
        Map<String, Station> stations = readLocations(loc);
        Path src = weatherFile(data);
        List<String> header = header();
        record Row(String date, String station, String line) {
        }
        List<Row> rows = new ArrayList<>();
        Map<String, Long> unknown = new TreeMap<>();
        long skipped = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (BufferedReader in = CsvFiles.reader(src)) {
            String h = in.readLine();
            if (h == null) {
                throw new IOException(src + ": empty file");
            }
            List<String> names = split(h);
            Map<String, Integer> col = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                col.put(names.get(i), i);
            }
            List<String> need = new ArrayList<>(List.of("Date", "Location"));
            need.addAll(COLUMNS.keySet());
            need.addAll(DIRECTIONS.keySet());
            for (String n : need) {
                if (!col.containsKey(n)) {
                    throw new IOException(src + ":1: missing column '" + n + "'");
                }
            }
            String line;
            int lineNo = 1;
            StringBuilder sb = new StringBuilder(256);
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = split(line);
                if (f.size() != names.size()) {
                    throw new IOException(src + ":" + lineNo + ": " + f.size() + " fields, the header has " + names.size());
                }
                String date = f.get(col.get("Date"));
                String name = f.get(col.get("Location"));
                Station st = stations.get(name);
                if (st == null || date.isEmpty() || date.equals("NA")) {
                    if (st == null) {
                        unknown.merge(name, 1L, Long::sum);
                    }
                    skipped++;
                    continue;
                }
                sb.setLength(0);
                sb.append(date).append(',').append(name).append(',').append(num(st.lat())).append(',')
                        .append(num(st.lon()));
                for (String c : COLUMNS.keySet()) {
                    String v = f.get(col.get(c));
                    sb.append(',');
                    if (!v.equals("NA") && !v.isEmpty()) {
                        try {
                            Double.parseDouble(v);
                        } catch (NumberFormatException e) {
                            throw new IOException(src + ":" + lineNo + ": " + c + " '" + v + "' is not a number");
                        }
                        sb.append(v);
                    }
                }
                for (String c : DIRECTIONS.keySet()) {
                    String v = f.get(col.get(c));
                    int k = COMPASS.indexOf(v);
                    if (k < 0 && !v.equals("NA") && !v.isEmpty()) {
                        throw new IOException(src + ":" + lineNo + ": " + c + " '" + v + "' is not a 16-point compass direction");
                    }
                    if (k < 0) {
                        sb.append(",,");
                    } else {
                        double a = Math.toRadians(22.5 * k);
                        sb.append(',').append(num(Math.sin(a))).append(',').append(num(Math.cos(a)));
                    }
                }
                rows.add(new Row(date, name, sb.toString()));
                seen.add(name);
            }
        }
        rows.sort((a, b) -> {
            int c = a.date().compareTo(b.date());
            return c != 0 ? c : a.station().compareTo(b.station());
        });
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream os = Files.newOutputStream(out);
             OutputStream z = out.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(os, 1 << 16) : os;
             BufferedWriter w = new BufferedWriter(new OutputStreamWriter(z, StandardCharsets.UTF_8), 1 << 16)) {
            w.write(String.join(",", header));
            w.write('\n');
            for (Row r : rows) {
                w.write(r.line());
                w.write('\n');
            }
        }
        return new Result(out, header, rows.size(), seen.size(), rows.isEmpty() ? null : rows.get(0).date(),
                rows.isEmpty() ? null : rows.get(rows.size() - 1).date(), skipped, unknown);
    }

    static Map<String, Station> readLocations(Path file) throws IOException {
        Map<String, Station> m = new HashMap<>();
        try (BufferedReader in = CsvFiles.reader(file)) {
            String h = in.readLine();
            if (h == null) {
                throw new IOException(file + ": empty file");
            }
            List<String> names = split(h);
            int n = names.indexOf("name");
            int la = names.indexOf("latitude");
            int lo = names.indexOf("longitude");
            if (n < 0 || la < 0 || lo < 0) {
                throw new IOException(file + ":1: expected columns name, latitude, longitude; got " + names);
            }
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = split(line);
                try {
                    double lat = Double.parseDouble(f.get(la));
                    double lon = Double.parseDouble(f.get(lo));
                    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
                        throw new NumberFormatException("outside the globe");
                    }
                    m.put(f.get(n), new Station(f.get(n), lat, lon));
                } catch (RuntimeException e) {
                    throw new IOException(file + ":" + lineNo + ": bad coordinates (" + e.getMessage() + ")");
                }
            }
        }
        return m;
    }

    /** Splits a line of the R export: comma separated, strings in double quotes (no embedded quotes or commas). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>(24);
        boolean quoted = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i <= line.length(); i++) {
            char ch = i < line.length() ? line.charAt(i) : ',';
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        return out;
    }

    private static String num(double v) {
        if (Math.abs(v) < 1e-12) {
            return "0";
        }
        String s = String.format(Locale.ROOT, "%.6f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    }
