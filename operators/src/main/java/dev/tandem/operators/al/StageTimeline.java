package dev.tandem.operators.al;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Busy intervals of AL stages (System.nanoTime at the start and end of each signal a stage processed), recorded
 * under a profile name when the stage settings carry one. In-process only: it serves the mini cluster of the tests
 * and {@code bench w6}, where every task runs in this JVM; a deployed job leaves the profile null and exposes the
 * busy time as the stage's {@code busyNanos} metric instead.
 */
public final class StageTimeline {
    /**
     * One interval: which stage (0-based component), what kind of signal, start and end (System.nanoTime), and the
     * CPU time the stage's thread used in it (wall time includes waiting for a core when threads outnumber cores),
     * and the CPU time of the whole JVM (every thread: other stages, sources, Flink, the collectors) at its end.
     */
    public record Interval(int stage, int kind, long start, long end, long cpuNanos, long processCpuAtEnd) {
        public Interval(int stage, int kind, long start, long end, long cpuNanos) {
            this(stage, kind, start, end, cpuNanos, -1);
        }

        public long nanos() {
            return end - start;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds of the calling thread so far (-1 where unsupported). */
    public static long threadCpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private static final java.lang.management.OperatingSystemMXBean OS =
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** CPU nanoseconds of this JVM so far, every thread (-1 where unsupported). */
    public static long processCpuNanos() {
        return OS instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private static final Map<String, List<Interval>> RUNS = new ConcurrentHashMap<>();

    private StageTimeline() {
    }

    public static void record(String profile, int stage, int kind, long start, long end, long cpuNanos) {
        List<Interval> l = RUNS.computeIfAbsent(profile, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
        l.add(new Interval(stage, kind, start, end, cpuNanos, processCpuNanos()));
    }

    /** The intervals recorded under a profile (a copy). */
    public static List<Interval> of(String profile) {
        List<Interval> l = RUNS.get(profile);
        if (l == null) {
            return List.of();
        }
        synchronized (l) {
            return new ArrayList<>(l);
        }
    }

    public static void clear(String profile) {
        RUNS.remove(profile);
    }

    /** Total busy nanoseconds per stage. */
    public static long[] busyNanos(List<Interval> intervals, int stages) {
        long[] out = new long[stages];
        for (Interval i : intervals) {
            out[i.stage()] += i.nanos();
        }
        return out;
    }

    /**
     * Nanoseconds during which at least two different stages were busy at once: the overlap that pipelining buys
     * (a sweep over the interval ends).
     */
    public static long overlapNanos(List<Interval> intervals, int stages) {
        List<long[]> events = new ArrayList<>();
        for (Interval i : intervals) {
            events.add(new long[] {i.start(), 1, i.stage()});
            events.add(new long[] {i.end(), -1, i.stage()});
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int[] active = new int[stages];
        int distinct = 0;
        long overlap = 0;
        long last = Long.MIN_VALUE;
        for (long[] e : events) {
            if (distinct >= 2) {
                overlap += e[0] - last;
            }
            int s = (int) e[2];
            if (e[1] > 0) {
                if (active[s]++ == 0) {
                    distinct++;
                }
            } else if (--active[s] == 0) {
                distinct--;
            }
            last = e[0];
        }
        return overlap;
    }
}
