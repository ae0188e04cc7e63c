package dev.tandem.tools.cli;

import dev.tandem.tools.convert.GfdConversion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code tandem convert gfd}: a canonical manifest for the SpectraQuest gearbox data set. */
@Command(name = "gfd", mixinStandardHelpOptions = true,
        description = {"Write a canonical vibration manifest (manifest.csv:",
                "file,label,sample_rate_hz,machine) for the SpectraQuest gearbox data set (files",
                "{h,b}<speed>hz<load>.csv[.gz]): label healthy / broken_tooth, machine",
                "gfd-<speed>hz-load<load>. Its sample rate is not documented: give it with",
                "--sample-rate; it is written as given. See docs/GEARBOX.md."})
final class ConvertGfdCommand implements Callable<Integer> {

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "Folder with the SpectraQuest files.")
    Path data;

    @Option(names = "--sample-rate", paramLabel = "HZ", required = true,
            description = "Sample rate in Hz, written to the manifest as given (the publisher does not document it).")
    double sampleRate;

    @Option(names = "--out", paramLabel = "DIR2", required = true, description = "Folder to write manifest.csv into.")
    Path out;

    @Option(names = "--copy", description = "Copy the recordings next to the manifest (default: the manifest points to them).")
    boolean copy;

    @Override
    public Integer call() throws Exception {
        if (!(sampleRate > 0) || !Double.isFinite(sampleRate)) {
            throw new IllegalArgumentException("invalid value " + sampleRate + " for --sample-rate; allowed: > 0");
        }
        Progress[] holder = {null};
        GfdConversion.Result r = GfdConversion.convert(data, sampleRate, out, copy, new GfdConversion.Listener() {
            @Override
            public void checked(GfdConversion.Recording rec, int index, int total) {
                if (holder[0] == null) {
                    holder[0] = new Progress(System.err, "checking recordings", total);
                }
                holder[0].update(index, rec.source().getFileName().toString());
            }
        });
        for (var skipped : r.skipped()) {
            System.err.println("skipped " + skipped + ": not named {h,b}<speed>hz<load>.csv[.gz]");
        }
        Map<String, Integer> perLabel = new TreeMap<>();
        for (GfdConversion.Recording rec : r.recordings()) {
            System.out.printf(Locale.ROOT, "%-18s %-13s %-18s %,8d rows%n", rec.source().getFileName(), rec.label(),
                    rec.machine(), rec.rows());
            perLabel.merge(rec.label(), 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "wrote %s: %d recordings, %,d rows, channels %s, %s Hz (as given)%n",
                r.manifest(), r.recordings().size(), r.rows(), r.recordings().get(0).channels(), plain(sampleRate));
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("manifest", r.manifest().toString());
        o.put("recordings", r.recordings().size());
        o.put("rows", r.rows());
        o.put("channels", r.recordings().get(0).channels());
        o.put("sample_rate_hz", sampleRate);
        o.put("labels", perLabel);
        o.put("machines", r.recordings().stream().map(GfdConversion.Recording::machine).distinct().sorted().toList());
        o.put("skipped", r.skipped().stream().map(p -> p.getFileName().toString()).toList());
        if (json) {
            JsonOutput.print(System.out, o);
        }
        return 0;
    }

    private static String plain(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : Double.toString(v);
    }
}
