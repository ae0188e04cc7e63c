package dev.tandem.tools.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobID;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Watches a job on the local mini cluster through its REST API and says on the console when checkpoints fail or
 * the job restarts, with the cause — the first failure's root exception — instead of letting {@code run},
 * {@code demo} or {@code bench} wait silently: with exactly-once sinks a job whose checkpoints fail commits
 * nothing. The root cause of a failed checkpoint comes from the task's stack trace in the {@link FlinkLog} (the
 * REST API has only its top-level message); that of a restart from the job's exception history.
 */
public final class JobWatch implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final String prefix;
    private final PrintStream err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread thread;
    private final int logFrom = FlinkLog.lineCount();
    private volatile boolean running = true;
    private volatile long failedCheckpoints;
    private volatile long completedCheckpoints;
    private volatile long restarts;
    private long preflightFailures;
    private volatile long latestCheckpointBytes = -1;
    private volatile String firstCause;
    private volatile String logCause;
    private long reportedFailed;
    private long reportedRestarts;
    private long lastReportNanos;

    private JobWatch(String restUrl, JobID job, String prefix, PrintStream err, Duration every) {
        this.base = restUrl + "/jobs/" + job;
        this.prefix = prefix;
        this.err = err;
        this.thread = new Thread(() -> loop(every), "tandem-job-watch");
        thread.setDaemon(true);
    }

    /** Starts watching job on the mini cluster whose REST API is at restUrl; lines go to err as "prefix: ...". */
    public static JobWatch start(String restUrl, JobID job, String prefix, PrintStream err) {
        return start(restUrl, job, prefix, err, Duration.ofSeconds(2));
    }

    public static JobWatch start(String restUrl, JobID job, String prefix, PrintStream err, Duration every) {
        JobWatch w = new JobWatch(restUrl, job, prefix, err, every);
        w.thread.start();
        return w;
    }

    public long failedCheckpoints() {
        return failedCheckpoints;
    }

    public long completedCheckpoints() {
        return completedCheckpoints;
    }

    /** State size of the latest completed checkpoint, or -1. */
    public long latestCheckpointBytes() {
        return latestCheckpointBytes;
    }

    public long restarts() {
        return restarts;
    }

    /** The root exception of the first failure seen (checkpoint or job), or null. */
    public String firstCause() {
        return logCause != null ? logCause : firstCause;
    }

    private void loop(Duration every) {
        while (running) {
            try {
                poll();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the cluster is starting or stopping; the next poll tries again
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One look at the job: checkpoint counts, restarts, and the causes of anything new. */
    void poll() throws Exception {
        JsonNode cp = get("/checkpoints");
        if (cp != null && cp.has("counts")) {
            long failed = cp.path("counts").path("failed").asLong();
            if (cp.path("latest").path("failed").isMissingNode() || cp.path("latest").path("failed").isNull()) {
                // triggers refused before any checkpoint was pending (tasks not yet running) count as failed in
                // the statistics but are no failure of the job's state: not reported
                preflightFailures = failed;
            }
            failedCheckpoints = failed - preflightFailures;
            completedCheckpoints = cp.path("counts").path("completed").asLong();
            JsonNode done = cp.path("latest").path("completed");
            if (done.has("state_size")) {
                latestCheckpointBytes = done.path("state_size").asLong();
            }
        }
        JsonNode m = get("/metrics?get=numRestarts");
        if (m != null && m.isArray() && !m.isEmpty()) {
            restarts = m.get(0).path("value").asLong();
        }
        boolean quietLongEnough = System.nanoTime() - lastReportNanos > 30_000_000_000L;
        boolean newFailure = failedCheckpoints > reportedFailed && (reportedFailed == 0 || quietLongEnough);
        boolean newRestart = restarts > reportedRestarts;
        if ((newFailure || newRestart) && logCause == null) {
            logCause = FlinkLog.rootCause("checkpoint", logFrom);
        }
        if (newFailure) {
            JsonNode failed = cp.path("latest").path("failed");
            String message = failed.path("failure_message").asText("?");
            if (firstCause == null) {
                firstCause = logCause != null ? logCause : message;
            }
            err.printf("%s: WARNING checkpoint %d failed (%d failed, %d completed so far; exactly-once outputs are "
                            + "committed only by completed checkpoints): %s; cause: %s%s%n", prefix,
                    failed.path("id").asLong(), failedCheckpoints, completedCheckpoints, message, firstCause(), logHint());
            reportedFailed = failedCheckpoints;
            lastReportNanos = System.nanoTime();
        }
        if (newRestart) {
            String cause = jobRootCause();
            if (firstCause == null) {
                firstCause = logCause != null ? logCause : cause;
            }
            err.printf("%s: WARNING the job restarted (%d restart%s so far): %s; first failure's cause: %s%s%n", prefix,
                    restarts, restarts == 1 ? "" : "s", cause, firstCause(), logHint());
            reportedRestarts = restarts;
            lastReportNanos = System.nanoTime();
        }
    }

    /** The latest entry of the exception history, with its deepest cause. */
    private String jobRootCause() throws Exception {
        JsonNode ex = get("/exceptions");
        JsonNode entries = ex == null ? null : ex.path("exceptionHistory").path("entries");
        if (entries == null || !entries.isArray() || entries.isEmpty()) {
            return "unknown";
        }
        JsonNode latest = entries.get(0);
        String trace = latest.path("stacktrace").asText("");
        String deepest = null;
        for (String line : trace.split("\n")) {
            if (line.startsWith("Caused by: ")) {
                deepest = line.substring("Caused by: ".length()).trim();
            }
        }
        String top = trace.isEmpty() ? latest.path("exceptionName").asText("?") : trace.split("\n")[0].trim();
        return deepest == null || deepest.equals(top) ? top : top + " <- " + deepest;
    }

    private String logHint() {
        return FlinkLog.path() == null ? "" : " (log: " + FlinkLog.path() + ")";
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
