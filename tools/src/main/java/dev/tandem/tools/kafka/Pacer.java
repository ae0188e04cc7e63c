package dev.tandem.tools.kafka;

import java.util.concurrent.TimeUnit;

/**
 * Paces a producer at a fixed rate: {@link #await} after each record sleeps until that record's slot has passed.
 * Slots are counted from construction, so a slow send is made up by not sleeping, never by a burst beyond the
 * schedule.
 */
public final class Pacer {
    private final long periodNanos;
    private long next = System.nanoTime();

    public Pacer(double perSecond) {
        if (!(perSecond > 0) || !Double.isFinite(perSecond)) {
            throw new IllegalArgumentException("rate must be finite and > 0 per second, got " + perSecond);
        }
        this.periodNanos = (long) (1e9 / perSecond);
    }

    public void await() throws InterruptedException {
        next += periodNanos;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(sleep);
        }
    }
}
