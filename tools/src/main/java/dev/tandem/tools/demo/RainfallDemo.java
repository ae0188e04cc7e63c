package dev.tandem.tools.demo;

import dev.tandem.tools.kafka.Pacer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.kafka.WeatherProducer;
import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.operators.rain.WeatherFeatures;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.rain.WeatherReading;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rainfall half of {@code tandem demo}: a replay thread writing weather readings — SYNTHETIC ones from
 * {@link WeatherSimulator#demo} (24 stations, hourly steps from 2024-01-01T00:00Z) or the rows of a canonical weather
 * CSV — into {@code topics.weather-readings} at a fixed rate, with a malformed reading every
 * {@value #MALFORMED_EVERY} (rain out of range, invalid coordinates, missing time, in turn), and the counts of what
 * the rainfall job publishes. The readings keep their own times as record timestamps, so the topics it creates keep
 * records forever ({@code retention.ms=-1}).
 */
public final class RainfallDemo {
    public static final int MALFORMED_EVERY = 50;
    public static final long SYNTHETIC_START = 1_704_067_200_000L; // 2024-01-01T00:00Z
    private final Iterator<WeatherReading> feed;
    private final String description;
    private final double rate;
    private final PrintStream err;
    private final AtomicBoolean replaying = new AtomicBoolean(true);
    private final AtomicLong readingsIn = new AtomicLong();
    private final AtomicLong malformedIn = new AtomicLong();
    private final AtomicLong forecastsOut = new AtomicLong();
    private final AtomicLong modelVersion = new AtomicLong();
    private final ArrayDeque<Double> recentMse = new ArrayDeque<>();
    private volatile boolean feedDone;
    private Thread replay;

    private RainfallDemo(Iterator<WeatherReading> feed, String description, double rate, PrintStream err) {
        this.feed = feed;
        this.description = description;
        this.rate = rate;
        this.err = err;
    }

    /** SYNTHETIC weather: the simulator's demo network, step after step without end. */
    public static RainfallDemo synthetic(long seed, double rate, PrintStream err) {
        WeatherSimulator sim = WeatherSimulator.demo(seed);
        Iterator<WeatherReading> it = new Iterator<>() {
            private final ArrayDeque<WeatherReading> step = new ArrayDeque<>();
            private long t = SYNTHETIC_START;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public WeatherReading next() {
                if (step.isEmpty()) {
                    step.addAll(sim.next(t));
                    t += sim.stepMs();
                }
                return step.removeFirst();
            }
        };
        return new RainfallDemo(it, "SYNTHETIC weather (simulator): " + sim.stations().size()
                + " stations, hourly steps, rain cells drifting east", rate, err);
    }

    /** The readings of a canonical weather CSV, in time order, once. */
    public static RainfallDemo fromCsv(Path file, double rate, PrintStream err) throws IOException {
        WeatherCsv.Table t = WeatherCsv.read(file);
        List<String> features = t.features();
        Iterator<WeatherCsv.Reading> rows = t.readings().iterator();
        Iterator<WeatherReading> it = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public WeatherReading next() {
                return WeatherFeatures.fromReading(rows.next(), features);
            }
        };
        return new RainfallDemo(it, t.readings().size() + " readings of " + file + " (features " + features + ")", rate, err);
    }

    public String description() {
        return description;
    }

    /** The rainfall topics (and dead letters) with unlimited retention. */
    public static List<NewTopic> topics(TandemConfig c) {
        Map<String, String> keep = Map.of("retention.ms", "-1");
        return List.of(new NewTopic(c.string("topics.weather-readings"), c.integer("topics.partitions"), (short) 1).configs(keep),
                new NewTopic(c.string("topics.rain-forecasts"), 1, (short) 1).configs(keep));
    }

    public void start(String bootstrap, TandemConfig c) {
        replay = new Thread(() -> replay(bootstrap, c), "tandem-demo-weather-replay");
        replay.setDaemon(true);
        replay.start();
    }

    private void replay(String bootstrap, TandemConfig c) {
        try (WeatherProducer out = new WeatherProducer(bootstrap, c.string("topics.weather-readings"))) {
            Pacer pacer = new Pacer(rate);
            long n = 0;
            while (replaying.get()) {
                if (!feed.hasNext()) {
                    feedDone = true;
                    break;
                }
                WeatherReading r = feed.next();
                out.send(r);
                readingsIn.incrementAndGet();
                if (++n % MALFORMED_EVERY == 0) {
                    injectMalformed(out, r, n / MALFORMED_EVERY);
                }
                pacer.await();
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            err.println("demo: weather replay stopped: " + e.getMessage());
        }
    }

    private void injectMalformed(WeatherProducer out, WeatherReading r, long k) {
        String json = switch ((int) (k % 3)) {
            case 0 -> String.format(Locale.ROOT, "{\"time\":%d,\"station\":\"%s\",\"lat\":%s,\"lon\":%s,\"rain_mm\":-5}",
                    r.time, r.station, r.lat, r.lon);
            case 1 -> String.format(Locale.ROOT, "{\"time\":%d,\"station\":\"%s\",\"lat\":123.4,\"lon\":%s,\"rain_mm\":1}",
                    r.time, r.station, r.lon);
            default -> String.format(Locale.ROOT, "{\"station\":\"%s\",\"lat\":%s,\"lon\":%s,\"rain_mm\":1}",
                    r.station, r.lat, r.lon);
        };
        out.sendRaw(r.station, json.getBytes(StandardCharsets.UTF_8), r.time);
        malformedIn.incrementAndGet();
    }

    /** Called by the demo's reader for every committed forecast. */
    public void observeForecast(byte[] value) {
        try {
            JsonNode f = Json.mapper().readTree(value);
            forecastsOut.incrementAndGet();
            modelVersion.accumulateAndGet(f.get("model_version").asLong(), Math::max);
            if (f.hasNonNull("previous_mse")) {
                synchronized (recentMse) {
                    recentMse.addLast(f.get("previous_mse").asDouble());
                    if (recentMse.size() > 24) {
                        recentMse.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            err.println("demo: cannot read a forecast: " + e.getMessage());
        }
    }

    public boolean feedDone() {
        return feedDone;
    }

    public long readingsIn() {
        return readingsIn.get();
    }

    public long malformedIn() {
        return malformedIn.get();
    }

    public long forecastsOut() {
        return forecastsOut.get();
    }

    public long modelVersion() {
        return modelVersion.get();
    }

    /** Mean of the prequential station MSE of the last (up to) 24 scored forecasts; NaN before any. */
    public double recentMse() {
        synchronized (recentMse) {
            return recentMse.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    public String summary(double seconds) {
        return String.format(Locale.ROOT, "  | readings in %d (%.1f/s)  forecasts %d  rain mse %.2f mm²  model v%d",
                readingsIn(), readingsIn() / Math.max(seconds, 1e-9), forecastsOut(), recentMse(), modelVersion());
    }

    public void stop() {
        replaying.set(false);
        if (replay != null) {
            try {
                replay.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
