package dev.tandem.models.gearbox;

import dev.tandem.models.data.CsvFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tandem's canonical vibration data set (ARCHITECTURE.md, "Canonical files"): a {@code manifest.csv} with the
 * columns {@code file,label,sample_rate_hz,machine}, one row per recording, next to the recordings' channel CSVs.
 *
 * <p>The manifest: UTF-8 (a byte-order mark is skipped), CR/LF or LF line ends, fields separated by commas and
 * optionally double-quoted (RFC 4180: a quote inside a quoted field is doubled), surrounding blanks trimmed, blank
 * lines ignored. The header names the columns in any order; extra columns are allowed and ignored. {@code file}
 * is resolved relative to the manifest's folder (an absolute path stays absolute); {@code label} may be empty for
 * an unlabelled recording; {@code sample_rate_hz} must be a finite number &gt; 0; {@code machine} must not be
 * empty. An optional column {@code rpm} gives a recording's shaft speed (revolutions per minute, a finite number
 * &gt; 0, or empty when unknown); windows of a recording with a speed are order-tracked ({@link OrderTracking}). A file
 * listed twice is an error.
 *
 * <p>A channel CSV ({@code .csv}, or gzip-compressed, recognised by its content, not its name): a header with the
 * channel names, then one row per sample with one decimal number per channel. Every malformed piece of either
 * file fails with an {@link IOException} that names the file and the 1-based line.
 *
 * <p>{@link #labels()} are the distinct non-empty labels in sorted (String) order and {@link #machines()} the
 * distinct machine ids in sorted order, so the class index of a label does not depend on the order of the rows.
 */
public final class VibrationManifest {
    public static final String FILE_NAME = "manifest.csv";
    public static final List<String> COLUMNS = List.of("file", "label", "sample_rate_hz", "machine");
    /** The optional column of the shaft speed. */
    public static final String RPM_COLUMN = "rpm";

    /**
     * One recording of the manifest; {@code line} is its 1-based line in the manifest, {@code rpm} its shaft speed
     * (NaN when unknown).
     */
    public record Entry(int line, String file, Path path, String label, double sampleRateHz, String machine,
                        double rpm) {
        public Entry(int line, String file, Path path, String label, double sampleRateHz, String machine) {
            this(line, file, path, label, sampleRateHz, machine, Double.NaN);
        }

        public boolean labelled() {
            return label != null && !label.isEmpty();
        }

        /** This entry with another shaft speed. */
        public Entry withRpm(double speed) {
            return new Entry(line, file, path, label, sampleRateHz, machine, speed);
        }
    }

    /** One row to write with {@link #write}: {@code file} as it should appear in the manifest; rpm NaN: unknown. */
    public record Row(String file, String label, double sampleRateHz, String machine, double rpm) {
        public Row(String file, String label, double sampleRateHz, String machine) {
            this(file, label, sampleRateHz, machine, Double.NaN);
        }
    }

    private final Path manifest;
    private final List<Entry> entries;

    private VibrationManifest(Path manifest, List<Entry> entries) {
        this.manifest = manifest;
        this.entries = List.copyOf(entries);
    }

    /** Reads a manifest, given either its file or the folder holding {@code manifest.csv}. */
    public static VibrationManifest read(Path dirOrFile) throws IOException {
        Path given = dirOrFile.toAbsolutePath().normalize();
        Path file = Files.isDirectory(given) ? given.resolve(FILE_NAME) : given;
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null,
                    "no vibration manifest (" + FILE_NAME + " with columns " + String.join(",", COLUMNS) + ")");
        }
        Path base = file.getParent();
        List<Entry> entries = new ArrayList<>();
        Map<Path, Integer> seen = new HashMap<>();
        try (BufferedReader r = CsvFiles.reader(file)) {
            String line;
            int lineNo = 0;
            int[] col = null;
            int rpmCol = -1;
            int headerSize = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                List<String> fields = CsvFiles.split(line, file, lineNo);
                if (col == null) {
                    col = headerColumns(fields, file, lineNo);
                    rpmCol = optionalColumn(fields, RPM_COLUMN, file, lineNo);
                    headerSize = fields.size();
                    continue;
                }
                if (fields.size() != headerSize) {
                    throw error(file, lineNo, "expected " + headerSize + " fields as in the header, got " + fields.size());
                }
                String name = fields.get(col[0]);
                if (name.isEmpty()) {
                    throw error(file, lineNo, "empty file name");
                }
                String label = fields.get(col[1]);
                double rate;
                try {
                    rate = Double.parseDouble(fields.get(col[2]));
                } catch (NumberFormatException e) {
                    throw error(file, lineNo, "sample_rate_hz '" + fields.get(col[2]) + "' is not a number");
                }
                if (!(rate > 0) || !Double.isFinite(rate)) {
                    throw error(file, lineNo, "sample_rate_hz must be a finite number > 0, got " + fields.get(col[2]));
                }
                String machine = fields.get(col[3]);
                if (machine.isEmpty()) {
                    throw error(file, lineNo, "empty machine id");
                }
                double rpm = Double.NaN;
                if (rpmCol >= 0 && !fields.get(rpmCol).isEmpty()) {
                    try {
                        rpm = Double.parseDouble(fields.get(rpmCol));
                    } catch (NumberFormatException e) {
                        throw error(file, lineNo, "rpm '" + abbreviate(fields.get(rpmCol)) + "' is not a number");
                    }
                    if (!OrderTracking.known(rpm)) {
                        throw error(file, lineNo, "rpm must be a finite number > 0 or empty, got " + abbreviate(fields.get(rpmCol)));
                    }
                }
                Path path;
                try {
                    path = base.resolve(name).normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    // e.g. a NUL character: found by fuzzing (docs/FUZZING.md), it escaped as an unchecked exception
                    throw error(file, lineNo, "file name '" + abbreviate(name) + "' is not a valid path ("
                            + e.getReason() + ")");
                }
                Integer before = seen.putIfAbsent(path, lineNo);
                if (before != null) {
                    throw error(file, lineNo, "recording " + name + " is already listed on line " + before);
                }
                entries.add(new Entry(lineNo, name, path, label, rate, machine, rpm));
            }
            if (col == null) {
                throw error(file, Math.max(lineNo, 1), "empty manifest: expected the header " + String.join(",", COLUMNS));
            }
        }
        if (entries.isEmpty()) {
            throw new IOException(file + ": the manifest lists no recordings");
        }
        return new VibrationManifest(file, entries);
    }

    /** Writes a manifest (header, then one row per recording, fields quoted where needed). */
    public static void write(Path file, List<Row> rows) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean speeds = rows.stream().anyMatch(r -> !Double.isNaN(r.rpm()));
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(String.join(",", COLUMNS) + (speeds ? "," + RPM_COLUMN : ""));
            w.write('\n');
            for (Row row : rows) {
                w.write(quote(row.file()) + "," + quote(row.label() == null ? "" : row.label()) + ","
                        + formatRate(row.sampleRateHz()) + "," + quote(row.machine())
                        + (speeds ? "," + (Double.isNaN(row.rpm()) ? "" : formatRate(row.rpm())) : ""));
                w.write('\n');
            }
        }
    }

    /** The manifest restricted to the given machines, in manifest order; an unknown id is an error naming it. */
    public VibrationManifest select(Collection<String> machineIds) {
        Set<String> known = new TreeSet<>(machines());
        for (String m : machineIds) {
            if (!known.contains(m)) {
                throw new IllegalArgumentException("machine '" + m + "' is not in " + manifest + "; its machines: "
                        + String.join(", ", known));
            }
        }
        Set<String> want = new LinkedHashSet<>(machineIds);
        List<Entry> kept = new ArrayList<>();
        for (Entry e : entries) {
            if (want.contains(e.machine())) {
                kept.add(e);
            }
        }
        return new VibrationManifest(manifest, kept);
    }

    /**
     * The manifest with the shaft speed of the given machines set (for a manifest without an {@code rpm} column, or
     * to override it); an unknown machine or a speed that is not finite and &gt; 0 is an error naming it.
     */
    public VibrationManifest withSpeeds(Map<String, Double> rpmByMachine) {
        Set<String> known = new TreeSet<>(machines());
        for (Map.Entry<String, Double> s : rpmByMachine.entrySet()) {
            if (!known.contains(s.getKey())) {
                throw new IllegalArgumentException("machine '" + s.getKey() + "' is not in " + manifest
                        + "; its machines: " + String.join(", ", known));
            }
            if (s.getValue() == null || !OrderTracking.known(s.getValue())) {
                throw new IllegalArgumentException("rpm of machine '" + s.getKey() + "' must be a finite number > 0, got "
                        + s.getValue());
            }
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            Double rpm = rpmByMachine.get(e.machine());
            out.add(rpm == null ? e : e.withRpm(rpm));
        }
        return new VibrationManifest(manifest, out);
    }

    public Path path() {
        return manifest;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The distinct non-empty labels, sorted: the class index of a label is its position here. */
    public List<String> labels() {
        Set<String> s = new TreeSet<>();
        for (Entry e : entries) {
            if (e.labelled()) {
                s.add(e.label());
            }
        }
        return List.copyOf(s);
    }

    /** The distinct machine ids, sorted. */
    public List<String> machines() {
        Set<String> s = new TreeSet<>();
        for (Entry e : entries) {
            s.add(e.machine());
        }
        return List.copyOf(s);
    }

    /** Reads one recording of this manifest. */
    public static VibrationRecording readRecording(Entry entry) throws IOException {
        ChannelData d = readChannels(entry.path());
        return new VibrationRecording(entry, d.names(), d.samples());
    }

    /** Channel names and channel-major samples of one channel CSV. */
    public record ChannelData(List<String> names, float[][] samples) {
        public int length() {
            return samples.length == 0 ? 0 : samples[0].length;
        }
    }

    /** Reads a channel CSV (plain or gzip): header of channel names, then one finite number per channel per row. */
    public static ChannelData readChannels(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "recording listed in the manifest does not exist");
        }
        int[] at = {0};
        try {
            return parseChannels(file, at);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw error(file, at[0] + 1, "corrupt or truncated gzip data (" + e.getMessage() + ")");
        }
    }

    private static ChannelData parseChannels(Path file, int[] at) throws IOException {
        try (BufferedReader r = CsvFiles.reader(file)) {
            String line;
            int lineNo = 0;
            List<String> names = null;
            float[][] cols = null;
            int n = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                at[0] = lineNo;
                if (names == null) {
                    if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                        line = line.substring(1);
                    }
                    if (line.isBlank()) {
                        continue;
                    }
                    names = channelNames(CsvFiles.split(line, file, lineNo), file, lineNo);
                    cols = new float[names.size()][initialCapacity(names.size())];
                    continue;
                }
                int c = names.size();
                int len = line.length();
                if (len == 0 || line.isBlank()) {
                    continue;
                }
                if (n == cols[0].length) {
                    for (int k = 0; k < c; k++) {
                        cols[k] = java.util.Arrays.copyOf(cols[k], n * 2);
                    }
                }
                int from = 0;
                for (int k = 0; k < c; k++) {
                    int to = k == c - 1 ? len : line.indexOf(',', from);
                    if (to < 0) {
                        throw error(file, lineNo, "expected " + c + " values (" + CsvFiles.abbreviate(String.join(",", names), 200) + "), got " + (k + 1));
                    }
                    if (k == c - 1 && line.indexOf(',', from) >= 0) {
                        throw error(file, lineNo, "expected " + c + " values (" + CsvFiles.abbreviate(String.join(",", names), 200) + "), got "
                                + (c + countCommas(line, from)));
                    }
                    cols[k][n] = parseValue(line, from, to, file, lineNo, names.get(k));
                    from = to + 1;
                }
                n++;
            }
            if (names == null) {
                throw error(file, Math.max(lineNo, 1), "empty file: expected a header of channel names");
            }
            if (n == 0) {
                throw error(file, lineNo, "no samples after the header");
            }
            for (int k = 0; k < cols.length; k++) {
                cols[k] = java.util.Arrays.copyOf(cols[k], n);
            }
            return new ChannelData(names, cols);
        }
    }

    // ---- parsing helpers ------------------------------------------------------------------------------

    /**
     * Samples per channel to allocate before the first row: 4,096 (a recording of 10^5 samples then grows by five
     * doublings), and at most 65,536 in all, so that a header of many channel names does not allocate 64 KB per name
     * before a single row is read (found by fuzzing: a 1.3 KB file of 200 names allocated 14 MB; 10,000 names would
     * have taken 655 MB).
     */
    static int initialCapacity(int channels) {
        return Math.max(16, Math.min(1 << 12, (1 << 16) / channels));
    }


    private static float parseValue(String line, int from, int to, Path file, int lineNo, String channel)
            throws IOException {
        String s = line.substring(from, to).trim();
        if (s.isEmpty()) {
            throw error(file, lineNo, "channel " + channel + ": empty value");
        }
        float v;
        try {
            v = Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw error(file, lineNo, "channel " + channel + ": '" + abbreviate(s) + "' is not a number");
        }
        if (!Float.isFinite(v)) {
            throw error(file, lineNo, "channel " + channel + ": '" + abbreviate(s) + "' is not a finite float");
        }
        return v;
    }

    private static int countCommas(String line, int from) {
        int n = 0;
        for (int i = from; i < line.length(); i++) {
            if (line.charAt(i) == ',') {
                n++;
            }
        }
        return n;
    }

    private static List<String> channelNames(List<String> fields, Path file, int lineNo) throws IOException {
        Set<String> distinct = new LinkedHashSet<>();
        for (String f : fields) {
            if (f.isEmpty()) {
                throw error(file, lineNo, "header: empty channel name (expected channel names, e.g. a1,a2)");
            }
            if (looksNumeric(f)) {
                throw error(file, lineNo, "header: '" + f + "' looks like a value; the first line must name the channels");
            }
            if (!distinct.add(f)) {
                throw error(file, lineNo, "header: channel '" + f + "' appears twice");
            }
        }
        return List.copyOf(distinct);
    }

    private static boolean looksNumeric(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int[] headerColumns(List<String> fields, Path file, int lineNo) throws IOException {
        int[] col = new int[COLUMNS.size()];
        for (int i = 0; i < col.length; i++) {
            col[i] = -1;
            for (int j = 0; j < fields.size(); j++) {
                if (fields.get(j).toLowerCase(Locale.ROOT).equals(COLUMNS.get(i))) {
                    if (col[i] >= 0) {
                        throw error(file, lineNo, "header: column " + COLUMNS.get(i) + " appears twice");
                    }
                    col[i] = j;
                }
            }
            if (col[i] < 0) {
                throw error(file, lineNo, "header lacks column '" + COLUMNS.get(i) + "' (expected "
                        + String.join(",", COLUMNS) + ", got " + CsvFiles.abbreviate(String.join(",", fields), 200) + ")");
            }
        }
        return col;
    }

    /** The index of an optional column in the header, -1 when absent. */
    private static int optionalColumn(List<String> fields, String name, Path file, int lineNo) throws IOException {
        int found = -1;
        for (int j = 0; j < fields.size(); j++) {
            if (fields.get(j).toLowerCase(Locale.ROOT).equals(name)) {
                if (found >= 0) {
                    throw error(file, lineNo, "header: column " + name + " appears twice");
                }
                found = j;
            }
        }
        return found;
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.equals(s.trim())) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String formatRate(double hz) {
        return hz == Math.rint(hz) && Math.abs(hz) < 1e15 ? Long.toString((long) hz) : Double.toString(hz);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static IOException error(Path file, int line, String message) {
        return CsvFiles.error(file, line, message);
    }

}
