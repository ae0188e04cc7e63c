package dev.tandem.tools.convert;

import dev.tandem.models.gearbox.VibrationManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a canonical vibration manifest for the SpectraQuest gearbox data set ("Gearbox Fault Diagnosis",
 * NREL / OpenEI submission 623; {@code ../shared/data/gearbox-gfd}).
 *
 * <p>Its files are named {@code {h,b}<speed>hz<load>.csv[.gz]} and are already channel CSVs (header
 * {@code a1,a2,a3,a4}), so only the manifest is written. From a file name:
 * <ul>
 *   <li>label: {@code h} → {@value #HEALTHY}, {@code b} → {@value #BROKEN_TOOTH};</li>
 *   <li>machine: {@code gfd-<speed>hz-load<load>}, e.g. {@code b30hz50.csv.gz} → {@code gfd-30hz-load50}: one
 *       operating condition of the one test rig (shaft speed in Hz, load in percent), as CWRU's canonical set
 *       names its load conditions {@code cwru-1797rpm} and so on;</li>
 *   <li>sample_rate_hz: as given — the publisher does not document it.</li>
 * </ul>
 * Rows are sorted by label, speed and load (numerically), whatever order the folder lists. Every recording is read
 * in full to check it (header, one finite number per channel per row; errors name the file and line), and all must
 * have the same channel names. The {@code file} column points from the output folder to the source files (a
 * relative path), or, with {@code copy}, the files are copied next to the manifest. Other files in the folder
 * (NOTICE.md, …) are ignored; a CSV whose name does not fit the pattern is reported and skipped.
 */
public final class GfdConversion {
    public static final String HEALTHY = "healthy";
    public static final String BROKEN_TOOTH = "broken_tooth";
    static final Pattern NAME = Pattern.compile("([hb])(\\d+)hz(\\d+)\\.csv(\\.gz)?", Pattern.CASE_INSENSITIVE);

    public record Recording(Path source, String file, String label, String machine, int speedHz, int loadPercent,
                            int rows, List<String> channels) {
    }

    public record Result(Path manifest, List<Recording> recordings, List<Path> skipped, long rows) {
    }

    public interface Listener {
        default void checked(Recording r, int index, int total) {
        }
    }

    private GfdConversion() {
    }

    /** The label and machine for a file name, or null when it does not fit the pattern. */
    static String[] describe(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        String label = m.group(1).equalsIgnoreCase("h") ? HEALTHY : BROKEN_TOOTH;
        return new String[] {label, machineId(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))};
    }

    static String machineId(int speedHz, int loadPercent) {
        return "gfd-" + speedHz + "hz-load" + loadPercent;
    }

    public static Result convert(Path data, double sampleRateHz, Path out, boolean copy, Listener listener)
            throws IOException {
        if (!(sampleRateHz > 0) || !Double.isFinite(sampleRateHz)) {
            throw new IllegalArgumentException("invalid value " + sampleRateHz + " for --sample-rate; allowed: > 0");
        }
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("invalid value " + data + " for --data: not a folder");
        }
        Path src = data.toAbsolutePath().normalize();
        Path dst = out.toAbsolutePath().normalize();
        List<Path> files;
        try (Stream<Path> s = Files.list(src)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        record Found(Path path, String label, int speed, int load) {
        }
        List<Found> found = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            Matcher m = NAME.matcher(name);
            if (m.matches()) {
                found.add(new Found(f, m.group(1).equalsIgnoreCase("h") ? HEALTHY : BROKEN_TOOTH,
                        Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
            } else if (name.toLowerCase(Locale.ROOT).matches(".*\\.csv(\\.gz)?")) {
                skipped.add(f);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("invalid value " + data + " for --data: no SpectraQuest recordings "
                    + "named {h,b}<speed>hz<load>.csv[.gz] in it");
        }
        found.sort(Comparator.comparing(Found::label).thenComparingInt(Found::speed).thenComparingInt(Found::load)
                .thenComparing(f -> f.path().getFileName().toString()));
        Files.createDirectories(dst);
        List<Recording> recordings = new ArrayList<>();
        List<String> channels = null;
        Path channelsFrom = null;
        long rows = 0;
        for (int i = 0; i < found.size(); i++) {
            Found f = found.get(i);
            VibrationManifest.ChannelData d = VibrationManifest.readChannels(f.path());
            if (channels == null) {
                channels = d.names();
                channelsFrom = f.path();
            } else if (!channels.equals(d.names())) {
                throw new IOException(f.path() + ":1: channels " + d.names() + " differ from " + channels + " of "
                        + channelsFrom);
            }
            String fileColumn;
            if (copy) {
                Path target = dst.resolve(f.path().getFileName());
                if (!target.equals(f.path())) {
                    Files.copy(f.path(), target, StandardCopyOption.REPLACE_EXISTING);
                }
                fileColumn = target.getFileName().toString();
            } else {
                fileColumn = dst.relativize(f.path()).toString().replace('\\', '/');
            }
            Recording r = new Recording(f.path(), fileColumn, f.label(), machineId(f.speed(), f.load()), f.speed(),
                    f.load(), d.length(), d.names());
            recordings.add(r);
            rows += d.length();
            listener.checked(r, i + 1, found.size());
        }
        List<VibrationManifest.Row> manifestRows = new ArrayList<>();
        for (Recording r : recordings) {
            manifestRows.add(new VibrationManifest.Row(r.file(), r.label(), sampleRateHz, r.machine()));
        }
        Path manifest = dst.resolve(VibrationManifest.FILE_NAME);
        VibrationManifest.write(manifest, manifestRows);
        return new Result(manifest, recordings, skipped, rows);
    }
}
