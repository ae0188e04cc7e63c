package dev.tandem.tools.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.WeatherReading;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the page shows, kept in bounded memory ({@link DashboardLimits}): per region the recent forecasts,
 * the stations' observed rain per step and the MSE-vs-persistence curve; per fleet the alert feed, each machine's
 * recent decisions and the prequential-accuracy curve; dead-letter counts per reason with the latest examples; the
 * jobs' metrics over time. One lock: updates come from the Kafka reader and the metrics poller, snapshots from the
 * push thread, each a few microseconds to milliseconds.
 */
public final class DashboardState {
    private final DashboardLimits limits;
    private TimeStep step;
    private final Lru<String, Region> regions;
    private final Lru<String, Fleet> fleets;
    private final Lru<String, Lru<Long, double[]>> observed;
    private final Lru<String, long[]> deadLetterReasons;
    private final Ring<ObjectNode> deadLetterExamples = new Ring<>(DashboardLimits.EXAMPLES);
    private final Lru<String, Ring<double[]>> metrics;
    private final Lru<String, long[]> counts;
    private long updates;

    /**
     * step: the rainfall job's time step (rainfall.step), to add the readings of a station up per step as it does; a
     * forecast spanning another (non-monthly) length replaces it.
     */
    public DashboardState(DashboardLimits limits, TimeStep step) {
        this.limits = limits;
        this.step = step;
        this.regions = new Lru<>(limits.maxKeys());
        this.fleets = new Lru<>(limits.maxKeys());
        this.observed = new Lru<>(limits.maxKeys());
        this.deadLetterReasons = new Lru<>(limits.maxKeys());
        this.metrics = new Lru<>(limits.maxKeys());
        this.counts = new Lru<>(64);
    }

    private static final class Region {
        final Ring<Forecast> forecasts;
        /** [valid_at s, model version, model MSE, persistence MSE]. */
        final Ring<double[]> curve;

        Region(DashboardLimits l) {
            forecasts = new Ring<>(l.forecasts());
            curve = new Ring<>(l.history());
        }
    }

    private static final class Fleet {
        final Ring<Alert> alerts = new Ring<>(DashboardLimits.ALERTS);
        final Lru<String, Machine> machines;
        final ArrayDeque<Boolean> recent = new ArrayDeque<>();
        long labelled;
        long modelVersion;
        String[] classes = new String[0];
        /** [time s, prequential accuracy over the last ACCURACY_WINDOW labelled, model version]. */
        final Ring<double[]> curve;

        Fleet(DashboardLimits l) {
            machines = new Lru<>(l.maxKeys());
            curve = new Ring<>(l.history());
        }
    }

    private static final class Machine {
        final Ring<String> decisions = new Ring<>(DashboardLimits.MIX);
        Prediction last;
        Alert lastAlert;
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new long[1])[0]++;
        updates++;
    }

    /** A record that could not be read (counted per topic, never shown raw). */
    public synchronized void unreadable(String topic) {
        count("unreadable " + DashboardJson.cut(topic, 100));
    }

    public synchronized void forecast(Forecast f) {
        count("forecasts");
        if (f.region == null || f.grid == null || f.rainMm == null) {
            count("unreadable forecasts");
            return;
        }
        long length = f.validUntil - f.validAt;
        if (!step.monthly() && length > 0 && length != step.millis()) {
            // the job's step is what its forecasts span: a dashboard started without the job's rainfall.step adopts
            // it instead of adding the readings up over the wrong steps (the sums so far are dropped)
            step = new TimeStep(length, false);
            observed.clear();
            count("rainfall step taken from the forecasts");
        }
        Region r = regions.computeIfAbsent(f.region, k -> new Region(limits));
        r.forecasts.add(f);
        // this forecast's previous_mse scores the forecast that was valid for the step that just ended at issued_at;
        // persistence forecasts that step with the one observed when that forecast was issued
        long scored = step.index(f.issuedAt - 1);
        long lead = step.index(f.validAt) - step.index(f.issuedAt - 1);
        double persistence = persistenceMse(f.stations, scored, scored - lead);
        r.curve.add(new double[] {f.validAt / 1000.0, f.modelVersion, f.previousMse == null ? Double.NaN : f.previousMse,
                persistence});
    }

    private double persistenceMse(Forecast.StationValue[] stations, long scoredStep, long persistedStep) {
        if (stations == null) {
            return Double.NaN;
        }
        double sum = 0;
        int n = 0;
        for (Forecast.StationValue s : stations) {
            Lru<Long, double[]> steps = s.station == null ? null : observed.get(s.station);
            double[] now = steps == null ? null : steps.get(scoredStep);
            double[] then = steps == null ? null : steps.get(persistedStep);
            if (now != null && then != null) {
                double d = now[0] - then[0];
                sum += d * d;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** A reading the rainfall job's rules refuse (its dead letter): counted, not added to the observed rain. */
    public synchronized void refusedReading() {
        count("readings refused");
    }

    public synchronized void reading(WeatherReading r) {
        count("readings");
        if (r.station == null || !Double.isFinite(r.rainMm)) {
            return;
        }
        observed.computeIfAbsent(r.station, k -> new Lru<>(DashboardLimits.STEPS_PER_STATION))
                .computeIfAbsent(step.index(r.time), k -> new double[1])[0] += r.rainMm;
    }

    public synchronized void prediction(Prediction p) {
        count("predictions");
        if (p.fleet == null || p.machine == null) {
            count("unreadable predictions");
            return;
        }
        Fleet f = fleets.computeIfAbsent(p.fleet, k -> new Fleet(limits));
        f.modelVersion = Math.max(f.modelVersion, p.modelVersion);
        if (p.classes != null) {
            f.classes = p.classes;
        }
        Machine m = f.machines.computeIfAbsent(p.machine, k -> new Machine());
        m.last = p;
        m.decisions.add(p.decision == null ? "?" : p.decision);
        if (p.label != null) {
            f.recent.addLast(p.correct());
            if (f.recent.size() > DashboardLimits.ACCURACY_WINDOW) {
                f.recent.removeFirst();
            }
            if (++f.labelled % DashboardLimits.ACCURACY_EVERY == 0) {
                long right = f.recent.stream().filter(b -> b).count();
                f.curve.add(new double[] {p.time / 1000.0, right / (double) f.recent.size(), p.modelVersion});
            }
        }
    }

    public synchronized void alert(Alert a) {
        count("alerts");
        if (a.fleet == null || a.machine == null) {
            count("unreadable alerts");
            return;
        }
        Fleet f = fleets.computeIfAbsent(a.fleet, k -> new Fleet(limits));
        f.alerts.add(a);
        f.machines.computeIfAbsent(a.machine, k -> new Machine()).lastAlert = a;
    }

    public synchronized void deadLetter(DeadLetter d) {
        count("dead letters");
        String reason = DashboardJson.cut(d.reason == null ? "(no reason)" : d.reason, 200);
        deadLetterReasons.computeIfAbsent(reason, k -> new long[1])[0]++;
        ObjectNode e = DashboardJson.object();
        e.put("time", d.time);
        e.put("topic", DashboardJson.cut(d.topic, 100));
        e.put("partition", d.partition);
        e.put("offset", d.offset);
        e.put("reason", reason);
        e.put("raw", DashboardJson.cut(d.raw, 300));
        deadLetterExamples.add(e);
    }

    /** One value of a job metric at wall-clock time ms. */
    public synchronized void metric(String name, long timeMs, double value) {
        if (!Double.isFinite(value)) {
            return;
        }
        metrics.computeIfAbsent(DashboardJson.cut(name, 200), k -> new Ring<>(limits.history()))
                .add(new double[] {timeMs / 1000.0, value});
    }

    /** How many records and metric values came in so far (the page's "updates" counter, tests' wait condition). */
    public synchronized long updates() {
        return updates;
    }

    /** The whole state as the page's JSON (HTML-significant characters escaped). */
    public String json() {
        return DashboardJson.write(snapshot());
    }

    synchronized ObjectNode snapshot() {
        ObjectNode root = DashboardJson.object();
        root.put("now", System.currentTimeMillis());
        root.put("step", step.label());
        ObjectNode c = root.putObject("counts");
        counts.forEach((k, v) -> c.put(k, v[0]));
        ArrayNode rs = root.putArray("regions");
        new TreeMap<>(regions).forEach((name, r) -> rs.add(region(name, r)));
        ArrayNode fs = root.putArray("fleets");
        new TreeMap<>(fleets).forEach((name, f) -> fs.add(fleet(name, f)));
        ObjectNode dl = root.putObject("dead_letters");
        ArrayNode reasons = dl.putArray("reasons");
        deadLetterReasons.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> reasons.addObject().put("reason", e.getKey()).put("count", e.getValue()[0]));
        ArrayNode latest = dl.putArray("latest");
        java.util.List<ObjectNode> ex = deadLetterExamples.list();
        java.util.Collections.reverse(ex);
        ex.forEach(latest::add);
        ArrayNode ms = root.putArray("metrics");
        new TreeMap<>(metrics).forEach((name, ring) -> {
            ObjectNode m = ms.addObject().put("name", name);
            ArrayNode pts = m.putArray("points");
            ring.list().forEach(p -> pts.addArray().add(p[0]).add(p[1]));
        });
        return root;
    }

    private ObjectNode region(String name, Region r) {
        ObjectNode o = DashboardJson.object().put("region", DashboardJson.cut(name, 100));
        ArrayNode fs = o.putArray("forecasts");
        for (Forecast f : r.forecasts.list()) {
            ObjectNode j = fs.addObject();
            j.put("issued_at", f.issuedAt).put("valid_at", f.validAt).put("valid_until", f.validUntil)
                    .put("model_version", f.modelVersion).put("previous_mse", f.previousMse);
            j.putObject("grid").put("rows", f.grid.rows).put("cols", f.grid.cols).put("lat0", f.grid.lat0)
                    .put("lon0", f.grid.lon0).put("dlat", f.grid.dlat).put("dlon", f.grid.dlon);
            ArrayNode rows = j.putArray("rain_mm");
            for (float[] row : f.rainMm) {
                ArrayNode a = rows.addArray();
                for (float v : row) {
                    a.add(Double.isFinite(v) ? Math.round(v * 100) / 100.0 : 0.0);
                }
            }
            ArrayNode st = j.putArray("stations");
            long validStep = step.index(f.validAt);
            if (f.stations != null) {
                for (Forecast.StationValue s : f.stations) {
                    Lru<Long, double[]> steps = s.station == null ? null : observed.get(s.station);
                    double[] obs = steps == null ? null : steps.get(validStep);
                    st.addObject().put("station", DashboardJson.cut(s.station, 100)).put("lat", s.lat).put("lon", s.lon)
                            .put("forecast_mm", Math.round(s.rainMm * 100) / 100.0)
                            .put("observed_mm", obs == null ? null : Math.round(obs[0] * 100) / 100.0);
                }
            }
        }
        ArrayNode curve = o.putArray("curve");
        r.curve.list().forEach(p -> curve.addArray().add(p[0]).add(p[1]).add(DashboardJson.finite(p[2]))
                .add(DashboardJson.finite(p[3])));
        return o;
    }

    private ObjectNode fleet(String name, Fleet f) {
        ObjectNode o = DashboardJson.object().put("fleet", DashboardJson.cut(name, 100)).put("model_version", f.modelVersion);
        ArrayNode classes = o.putArray("classes");
        for (String k : f.classes) {
            classes.add(DashboardJson.cut(k, 100));
        }
        ArrayNode alerts = o.putArray("alerts");
        java.util.List<Alert> newestFirst = f.alerts.list();
        java.util.Collections.reverse(newestFirst);
        for (Alert a : newestFirst) {
            alerts.add(alertJson(a));
        }
        ArrayNode machines = o.putArray("machines");
        new TreeMap<>(f.machines).forEach((id, m) -> {
            ObjectNode j = machines.addObject().put("machine", DashboardJson.cut(id, 100));
            Map<String, Integer> mix = new TreeMap<>();
            for (String d : m.decisions.list()) {
                mix.merge(DashboardJson.cut(d, 100), 1, Integer::sum);
            }
            ObjectNode mj = j.putObject("mix");
            mix.forEach(mj::put);
            if (m.last != null) {
                j.put("decision", DashboardJson.cut(m.last.decision, 100)).put("confidence", m.last.confidence)
                        .put("model_version", m.last.modelVersion).put("time", m.last.time);
            }
            if (m.lastAlert != null) {
                j.set("alert", alertJson(m.lastAlert));
            }
        });
        ArrayNode curve = o.putArray("curve");
        f.curve.list().forEach(p -> curve.addArray().add(p[0]).add(p[1]).add(p[2]));
        return o;
    }

    private static ObjectNode alertJson(Alert a) {
        return DashboardJson.object().put("time", a.time).put("kind", DashboardJson.cut(a.kind, 20))
                .put("machine", DashboardJson.cut(a.machine, 100)).put("fault", DashboardJson.cut(a.fault, 100))
                .put("confidence", a.confidence).put("windows", a.windows).put("model_version", a.modelVersion)
                .put("stage", DashboardJson.cut(a.stage, 20));
    }
}
