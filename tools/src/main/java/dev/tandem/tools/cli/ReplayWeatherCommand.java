package dev.tandem.tools.cli;

import dev.tandem.tools.kafka.PacedReplay;
import dev.tandem.operators.rain.WeatherReading;
import dev.tandem.tools.kafka.WeatherProducer;
import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.operators.rain.WeatherFeatures;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem replay weather}: stream a canonical long-format weather CSV into a topic. */
@Command(name = "weather", mixinStandardHelpOptions = true,
        description = {"Read a canonical long-format weather CSV (time, station, lat, lon, rain_mm, further numeric",
                "columns; gzip or plain) and write its readings, in time order, to a Kafka topic at --rate readings per",
                "second: key = station, record timestamp = the reading's time (event time), value = JSON with the",
                "canonical column names (missing values left out). The record timestamps are the data's own times: give",
                "the topic retention.ms=-1 when the data is older than its retention."})
final class ReplayWeatherCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The canonical weather CSV.")
    Path data;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "weather-readings", paramLabel = "T", description = "Topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "N", description = "Readings per second (> 0). Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after this many readings (>= 1; default: all).")
    Long limit;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @picocli.CommandLine.Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        if (!(rate > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + rate + " for --rate; allowed: > 0");
        }
        if (limit != null && limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid value " + limit + " for --limit; allowed: >= 1");
        }
        WeatherCsv.Table table = WeatherCsv.read(data);
        long total = limit == null ? table.readings().size() : Math.min(limit, table.readings().size());
        System.err.println("replay: " + table.readings().size() + " readings of " + data + " (features "
                + table.features() + ", " + table.badRows() + " bad rows skipped), " + total + " at " + rate
                + "/s into " + topic + " at " + bootstrap);
        for (String n : table.notes()) {
            System.err.println("replay: " + n);
        }
        Iterator<WeatherReading> readings = table.readings().stream()
                .map(row -> WeatherFeatures.fromReading(row, table.features())).iterator();
        PacedReplay.Result r;
        try (WeatherProducer out = new WeatherProducer(bootstrap, topic,
                dev.tandem.job.kafka.KafkaClientSecurity.properties(configOptions.load()))) {
            r = PacedReplay.run(out, readings, total, rate, "readings");
        }
        PacedReplay.report(r, "readings", topic, json, Map.of("bad_rows", table.badRows()));
        return 0;
    }
}
