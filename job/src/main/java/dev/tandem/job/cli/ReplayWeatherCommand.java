package dev.tandem.job.cli;

import static dev.tandem.job.OptionCheck.require;

import dev.tandem.job.kafka.WeatherReplay;
import dev.tandem.job.kafka.WindowProducer;
import dev.tandem.learning.data.WeatherCsv;
import dev.tandem.operators.records.WindowFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code tandem replay weather}: stream a canonical weather CSV into the weather-readings topic. */
@Command(name = "weather", mixinStandardHelpOptions = true,
        description = {"Stream a canonical long weather CSV (any order; sent in time order) into a Kafka topic",
                "at --rate readings per second: key = station, timestamp = the reading's time, value =",
                "WeatherReading JSON (time in epoch ms, station, lat, lon, rain_mm, the other features",
                "under their column names). Readings without rain_mm are skipped and counted."})
final class ReplayWeatherCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Canonical weather CSV (.csv or .csv.gz).")
    Path data;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "weather-readings", paramLabel = "T", description = "Topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "N", description = "Readings per second (> 0). Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N readings sent (default: all).")
    Long limit;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        require(Files.isRegularFile(data), "--data", data, "an existing canonical weather CSV file");
        require(rate > 0 && Double.isFinite(rate), "--rate", rate, "> 0");
        require(limit == null || limit >= 1, "--limit", limit, ">= 1");
        WeatherCsv.Table t = WeatherCsv.read(data);
        t.problems().forEach(p -> System.err.println("  bad row " + p));
        List<String> features = t.features();
        long total = limit == null ? t.readings().size() : Math.min(limit, t.readings().size());
        System.err.printf(Locale.ROOT, "replay: %,d readings (%d bad rows skipped), %s/s into %s at %s%n", total,
                t.badRows(), rate, topic, bootstrap);
        Progress progress = new Progress(System.err, "replay", total);
        long started = System.nanoTime();
        long sent = 0;
        long noRain = 0;
        try (WindowProducer out = new WindowProducer(bootstrap, topic, WindowFormat.JSON)) {
            long period = (long) (1e9 / rate);
            long next = System.nanoTime();
            for (WeatherCsv.Reading r : t.readings()) {
                if (sent >= total) {
                    break;
                }
                byte[] value = WeatherReplay.encode(r, features);
                if (value == null) {
                    noRain++;
                    continue;
                }
                out.sendRaw(r.station(), value, r.time());
                sent++;
                progress.update(sent, String.format(Locale.ROOT, "%.0f readings/s", sent / ((System.nanoTime() - started) / 1e9)));
                next += period;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            out.flush();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "replayed %,d readings in %.1f s (%.1f/s) into %s; %,d without rain_mm skipped%n",
                sent, seconds, sent / seconds, topic, noRain);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("readings", sent);
            o.put("skipped_no_rain", noRain);
            o.put("bad_rows", t.badRows());
            o.put("seconds", Math.round(seconds * 10) / 10.0);
            o.put("rate", Math.round(sent / seconds * 10) / 10.0);
            o.put("topic", topic);
            JsonOutput.print(System.out, o);
        }
        return 0;
    }
}
