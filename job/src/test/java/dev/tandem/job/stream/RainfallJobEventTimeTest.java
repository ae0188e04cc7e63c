package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.ParseAndValidateWeather;
import dev.tandem.operators.rain.WeatherReading;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rainfall job graph ({@link RainfallJob#attach}, the source and watermark wiring of production) on a Flink mini
 * cluster, fed from a paced in-memory source so that watermarks advance while the records flow: in the middle of an
 * hourly stream come an unparseable record stamped with the wall clock, a valid reading 30 hours ahead of the
 * stream and one stamped in the year 3000. They must end as dead letters and leave event time alone: every later
 * good reading still counts (no {@code late} dead letter) and every step yields its forecast. Before event time was
 * taken from validated records only, the garbage record's Kafka timestamp moved the watermark to the wall clock
 * and every later reading was late.
 */
class RainfallJobEventTimeTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_704_067_200_000L; // 2024-01-01T00:00Z
    private static final int STATIONS = 9;
    private static final int STEPS = 12;
    private static final int BAD_AT_STEP = 4;
    static final Map<String, Queue<Object>> SINKS = new ConcurrentHashMap<>();
    static volatile List<RawRecord> RECORDS = List.of();

    /** The stream: STEPS hours of STATIONS readings, the three bad records after the first readings of BAD_AT_STEP. */
    static List<RawRecord> records() {
        List<RawRecord> out = new ArrayList<>();
        long offset = 0;
        for (int s = 0; s < STEPS; s++) {
            long t = T0 + s * HOUR;
            for (int i = 0; i < STATIONS; i++) {
                WeatherReading r = reading("st" + i, t, -36 + 0.25 * (i % 3), 148 + 0.3 * (i / 3), ((s * 7 + i * 3) % 5) * 0.4);
                out.add(new RawRecord("weather-readings", 0, offset++, t, r.station.getBytes(StandardCharsets.UTF_8),
                        ParseAndValidateWeather.write(r)));
                if (s == BAD_AT_STEP && i == 2) {
                    // a garbage record stamped with the wall clock, as a producer's default timestamp would be
                    out.add(new RawRecord("weather-readings", 0, offset++, System.currentTimeMillis(), null,
                            new byte[] {'{', 0, (byte) 0xff, 'x'}));
                    // a well-formed reading 30 hours ahead of the stream, with a normal record timestamp
                    out.add(new RawRecord("weather-readings", 0, offset++, t, null,
                            ParseAndValidateWeather.write(reading("st0", t + 30 * HOUR, -36, 148, 1))));
                    // a well-formed reading in the year 3000
                    out.add(new RawRecord("weather-readings", 0, offset++, t, null,
                            ParseAndValidateWeather.write(reading("st1", 32_503_680_000_000L, -36, 148, 1))));
                }
            }
        }
        return out;
    }

    private static WeatherReading reading(String station, long time, double lat, double lon, double rain) {
        WeatherReading r = new WeatherReading();
        r.station = station;
        r.time = time;
        r.lat = lat;
        r.lon = lon;
        r.rainMm = rain;
        return r;
    }

    @Test
    void garbageAndFarFutureRecordsMidStreamLeaveEveryLaterForecast() throws Exception {
        TandemConfig c = TandemConfig.defaults(
                "rainfall.region=test",
                "rainfall.step=1h",
                "rainfall.allowed-lateness-ms=0",
                "rainfall.grid.max-side=8",
                "rainfall.window=2",
                "rainfall.hidden=4",
                "rainfall.kernels=3",
                "rainfall.batch=2",
                "rainfall.replay=16",
                "rainfall.rain-scale=10", // learns from the first full window (auto would wait for 50 wet readings)
                "compute.backend=java",
                "job.parallelism=1",
                "job.watermark-out-of-orderness-ms=0",
                "job.source-idle-timeout-ms=0");
        List<RawRecord> records = records();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, c);
        env.getConfig().setAutoWatermarkInterval(10); // watermarks move while the paced records flow
        RECORDS = records;
        RecordSource source = new RecordSource();
        DataGeneratorSource<RawRecord> paced = new DataGeneratorSource<>(source, records.size(),
                RateLimiterStrategy.perSecond(150), TypeInformation.of(RawRecord.class));
        new RainfallJob(c, paced, new CollectSink<>("forecasts"), new CollectSink<>("dead")).attach(env);
        env.execute("rainfall-event-time");

        List<Forecast> forecasts = SINKS.get("forecasts").stream().map(o -> (Forecast) o)
                .sorted(Comparator.comparingLong(f -> f.validAt)).toList();
        List<DeadLetter> dead = SINKS.get("dead").stream().map(o -> (DeadLetter) o).toList();
        List<String> reasons = dead.stream().map(d -> d.reason).toList();
        assertEquals(3, dead.size(), () -> dead.size() + " dead letters, the first: " + reasons.subList(0, Math.min(6, reasons.size())));
        assertTrue(reasons.stream().noneMatch(r -> r.startsWith("late")), "no good reading is late: " + reasons);
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("unparseable json")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("future:") && r.contains("job.max-ahead-ms")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("future:") && r.contains("records.max-clock-ahead-ms")),
                reasons.toString());
        // the end of the bounded input closes every step: STEPS frames, the first window of 2 forecasts nothing
        assertEquals(STEPS - 1, forecasts.size(), "one forecast per step once the window is full");
        for (int i = 0; i < forecasts.size(); i++) {
            assertEquals(T0 + (i + 2) * HOUR, forecasts.get(i).validAt, "forecast " + i);
            assertEquals(STATIONS, forecasts.get(i).stations.length, "every station's reading counted, forecast " + i);
        }
    }

    /** Index → the index-th record of {@link #RECORDS} (static: the mini cluster runs in this JVM). */
    static final class RecordSource implements org.apache.flink.connector.datagen.source.GeneratorFunction<Long, RawRecord> {
        @Override
        public RawRecord map(Long i) {
            return RECORDS.get(i.intValue());
        }
    }

    /** Adds every element to {@link #SINKS} under its name (the mini cluster runs in this JVM). */
    static final class CollectSink<T> implements Sink<T> {
        private final String name;

        CollectSink(String name) {
            this.name = name;
            SINKS.put(name, new ConcurrentLinkedQueue<>());
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> q = SINKS.get(name);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    q.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
