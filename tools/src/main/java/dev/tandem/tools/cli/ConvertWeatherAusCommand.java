package dev.tandem.tools.cli;

import dev.tandem.tools.convert.WeatherAusConversion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem convert weather-aus}: the canonical long weather CSV from the BoM daily observations. */
@Command(name = "weather-aus", mixinStandardHelpOptions = true,
        description = {"Write the canonical long weather CSV (time, station, lat, lon, rain_mm, ...)",
                "from the Bureau of Meteorology daily observations (weatherAUS.csv.gz joined with",
                "locationsAUS.csv). Wind directions become sin/cos of the bearing; RISK_MM and",
                "RainTomorrow (next-day rain: leakage) and RainToday are not written; NA becomes",
                "empty. Gzip-compressed when FILE ends in .gz. See docs/RAINFALL.md."})
final class ConvertWeatherAusCommand implements Callable<Integer> {

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Option(names = "--data", paramLabel = "DIR", required = true,
            description = "Folder with weatherAUS.csv.gz and locationsAUS.csv.")
    Path data;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The CSV to write (.csv or .csv.gz).")
    Path out;

    @Override
    public Integer call() throws Exception {
        System.err.println("converting " + data + " ...");
        WeatherAusConversion.Result r = WeatherAusConversion.convert(data, out);
        r.unknownLocations().forEach((name, n) ->
                System.err.println("skipped " + n + " rows of location '" + name + "': not in locationsAUS.csv"));
        System.out.printf(Locale.ROOT, "wrote %s: %,d rows, %d stations, %s .. %s, %d columns%n", r.out(), r.rows(),
                r.stations(), r.firstDate(), r.lastDate(), r.columns().size());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("out", r.out().toString());
        o.put("rows", r.rows());
        o.put("stations", r.stations());
        o.put("first", r.firstDate());
        o.put("last", r.lastDate());
        o.put("skipped", r.skipped());
        o.put("columns", r.columns());
        if (json) {
            JsonOutput.print(System.out, o);
        }
        return 0;
    }
}
