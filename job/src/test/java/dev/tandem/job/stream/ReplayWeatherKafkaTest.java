package dev.tandem.job.stream;

import dev.tandem.job.kafka.CommittedReader;
import dev.tandem.job.kafka.EmbeddedKafka;
import dev.tandem.operators.records.Json;
import dev.tandem.operators.records.WeatherReading;
import dev.tandem.operators.validate.WeatherRules;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** replay weather into a real broker: every reading with rain arrives as a valid WeatherReading, in time order. */
class ReplayWeatherKafkaTest {
    @TempDir
    Path tmp;

    @Test
    void replaysACanonicalFileIntoATopic() throws Exception {
        Path f = tmp.resolve("w.csv");
        Files.writeString(f, String.join("\n",
                "time,station,lat,lon,rain_mm,humidity_9am_pct,temp_c",
                "2021-01-02,B,-31,151,0.4,70,",
                "2021-01-01,A,-30,150,1.5,,21",
                "2021-01-01,B,-31,151,NA,60,20",
                "2021-01-03,A,-30,150,0,55,19",
                ""));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Duration.ofSeconds(90))) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("weather-readings", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            List<byte[]> got = new CopyOnWriteArrayList<>();
            try (CommittedReader reader = new CommittedReader(kafka.bootstrapServers(),
                    CommittedReader.topics("weather-readings"), (t, v) -> got.add(v))) {
                dev.tandem.job.cli.TandemCliAccess.Run r = dev.tandem.job.cli.TandemCliAccess.run("replay", "weather",
                        "--data", f.toString(), "--bootstrap", kafka.bootstrapServers(), "--rate", "1000", "--json");
                assertEquals(0, r.code(), r.err());
                assertTrue(r.out().contains("\"readings\":3"), r.out());
                assertTrue(r.out().contains("\"skipped_no_rain\":1"), r.out());
                assertTrue(reader.await(() -> got.size() >= 3, Duration.ofSeconds(60)), "3 readings arrive");
            }
            assertEquals(3, got.size());
            long last = Long.MIN_VALUE;
            for (byte[] v : got) {
                WeatherReading w = Json.read(v, WeatherReading.class);
                assertNull(WeatherRules.DEFAULT.problem(w), new String(v));
                assertTrue(w.time >= last, "time order");
                last = w.time;
            }
            WeatherReading a = Json.read(got.get(0), WeatherReading.class);
            assertEquals("A", a.station);
            assertEquals(1.5, a.rainMm);
            assertEquals(21.0, a.tempC);
            assertEquals(0, a.extraNames.length, "a missing feature is left out");
            WeatherReading b = Json.read(got.get(1), WeatherReading.class);
            assertEquals("humidity_9am_pct", b.extraNames[0]);
            assertEquals(70.0, b.extraValues[0]);
        }
    }
}
