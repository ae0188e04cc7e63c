package dev.tandem.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Polls the learning metrics of the running jobs through Flink's REST API (the trainers' gauges {@code loss},
 * {@code prequentialAccuracy}, {@code prequentialMse}, {@code modelVersion}, per subtask) into the state, every
 * {@code every}. A Flink that does not answer is skipped until the next poll: the dashboard lives without metrics.
 */
public final class FlinkMetrics implements AutoCloseable {
    static final Set<String> GAUGES = Set.of("loss", "prequentialAccuracy", "prequentialMse", "modelVersion");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String rest;
    private final DashboardState state;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String lastProblem;

    public FlinkMetrics(String restUrl, DashboardState state, Duration every) {
        this.rest = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
        this.state = state;
        this.thread = new Thread(() -> loop(every), "tandem-dashboard-metrics");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Duration every) {
        while (running) {
            try {
                pollOnce();
                lastProblem = null;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                lastProblem = e.toString();
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Why the last poll failed, or null. */
    public String lastProblem() {
        return lastProblem;
    }

    void pollOnce() throws Exception {
        long now = System.currentTimeMillis();
        for (JsonNode job : get("/jobs").path("jobs")) {
            if (!"RUNNING".equals(job.path("status").asText())) {
                continue;
            }
            String jobId = job.path("id").asText();
            for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
                String base = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/metrics";
                List<String> wanted = new ArrayList<>();
                for (JsonNode m : get(base)) {
                    String id = m.path("id").asText();
                    int dot = id.lastIndexOf('.');
                    if (dot > 0 && GAUGES.contains(id.substring(dot + 1))) {
                        wanted.add(id);
                    }
                }
                if (wanted.isEmpty()) {
                    continue;
                }
                for (JsonNode m : get(base + "?get=" + URLEncoder.encode(String.join(",", wanted), StandardCharsets.UTF_8))) {
                    double value;
                    try {
                        value = Double.parseDouble(m.path("value").asText());
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    state.metric(m.path("id").asText(), now, value);
                }
            }
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(rest + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Flink REST " + path + ": HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
