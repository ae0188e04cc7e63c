package dev.tandem.operators.common;

import java.io.Serializable;

/**
 * Keeps records that claim a time far ahead of the stream from moving event time. The watermark generator after
 * validation emits, per parallel instance, the newest accepted time minus the out-of-orderness; this gate sees the
 * same records in the same order just before it (same subtask, chained), so it knows that watermark exactly. A
 * record more than {@code maxAheadMs} ahead of it is refused (a dead letter {@code future: ...}) and never reaches the
 * generator, so one garbage record cannot close the open time steps and turn every later good record into a late one.
 *
 * <p>A real jump of the stream (a hole in the data, a restart after downtime) looks the same at first; so that it
 * cannot stall the job for ever, {@code resyncAfter} consecutive future records that agree with one another (all
 * within {@code maxAheadMs} of the first of them) are taken as the stream's new time: the last of them is accepted
 * and the earlier ones stay dead letters (reason {@code future}, replayable). 0 never resynchronises.
 *
 * <p>With a {@code maxBehindMs} (0: none) a record more than that behind the watermark is refused too (a dead letter
 * {@code past: ...}): for a job without event-time logic of its own (the gearbox job) nothing else would stop a
 * window stamped 1970. The same {@code resyncAfter} consecutive agreeing past records are taken as a stream that
 * restarted from an earlier time: the gate starts over from the last of them.
 *
 * <p>Before the first accepted record there is no watermark, and every time passes (the wall-clock bound of
 * {@link RecordLimits#timeProblem} still applies). The newest accepted time is checkpointed by the operator that
 * holds the gate, so a restart does not reopen it.
 */
public final class EventTimeGate implements Serializable {
    private final long outOfOrdernessMs;
    private final long maxAheadMs;
    private final int resyncAfter;
    private final long maxBehindMs;
    private long newest = Long.MIN_VALUE;
    private long runStart;
    private int runLength;

    public EventTimeGate(long outOfOrdernessMs, long maxAheadMs, int resyncAfter) {
        this(outOfOrdernessMs, maxAheadMs, resyncAfter, 0);
    }

    /** With a bound on how far behind the watermark a record may be ({@code maxBehindMs}; 0: none). */
    public EventTimeGate(long outOfOrdernessMs, long maxAheadMs, int resyncAfter, long maxBehindMs) {
        if (outOfOrdernessMs < 0 || maxAheadMs < 1 || resyncAfter < 0 || maxBehindMs < 0) {
            throw new IllegalArgumentException("event-time gate needs out-of-orderness >= 0, max-ahead >= 1, resync >= 0, max-behind >= 0");
        }
        this.maxBehindMs = maxBehindMs;
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.maxAheadMs = maxAheadMs;
        this.resyncAfter = resyncAfter;
    }

    /** The watermark the generator emits after the records accepted so far (Long.MIN_VALUE before the first). */
    public long watermark() {
        return newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest - outOfOrdernessMs;
    }

    /** The newest accepted time (Long.MIN_VALUE before the first), the state to checkpoint. */
    public long newest() {
        return newest;
    }

    /** Restores the newest accepted time (a restart or rescale keeps the largest of the restored ones). */
    public void restore(long newestAccepted) {
        newest = Math.max(newest, newestAccepted);
    }

    /** Null when a record of {@code time} is accepted (and then counted), else the reason it is refused. */
    public String admit(long time) {
        long w = watermark();
        boolean past = maxBehindMs > 0 && w != Long.MIN_VALUE && time < w && w - time > maxBehindMs;
        if (!past && (w == Long.MIN_VALUE || time <= w || time - w <= maxAheadMs)) {
            accept(time);
            return null;
        }
        long agree = past ? maxBehindMs : maxAheadMs;
        if (runLength > 0 && Math.abs(time - runStart) <= agree) {
            runLength++;
        } else {
            runStart = time;
            runLength = 1;
        }
        if (resyncAfter > 0 && runLength >= resyncAfter) {
            if (past) {
                newest = time; // the stream went back: the gate starts over from there
            }
            accept(time);
            return null;
        }
        if (past) {
            return "past: time " + time + " is " + (w - time) + " ms behind the watermark " + w
                    + "; allowed: at most " + maxBehindMs + " (job.max-behind-ms)";
        }
        return "future: time " + time + " is " + (time - w) + " ms ahead of the watermark " + w
                + "; allowed: at most " + maxAheadMs + " (job.max-ahead-ms)";
    }

    private void accept(long time) {
        newest = Math.max(newest, time);
        runLength = 0;
    }
}
