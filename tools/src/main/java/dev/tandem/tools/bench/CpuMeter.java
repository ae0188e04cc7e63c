package dev.tandem.tools.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time spent over an interval: by this JVM (job, replay and probes), by another process (the Kafka broker), and
 * by each thread of this JVM. On a machine shared with other work, CPU milliseconds per window are a steadier
 * figure than wall-clock throughput.
 */
public final class CpuMeter {
    private final long pid;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long jvmStart;
    private long otherStart;
    private long wallStart;
    private final Map<Long, Long> threadStart = new HashMap<>();
    private Map<String, Long> osThreadStart = Map.of();

    /** @param otherPid a process whose CPU time is measured too (the broker), or -1 */
    public CpuMeter(long otherPid) {
        this.pid = otherPid;
    }

    public void start() {
        jvmStart = jvmCpuNanos();
        otherStart = otherCpuNanos();
        wallStart = System.nanoTime();
        osThreadStart = osThreads();
        if (threads.isThreadCpuTimeSupported()) {
            for (long id : threads.getAllThreadIds()) {
                threadStart.put(id, threads.getThreadCpuTime(id));
            }
        }
    }

    /** The figures since {@link #start}: cores busy in this JVM and in the other process, ms per unit, top threads. */
    public Map<String, Object> stop(long units) {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        long jvm = jvmCpuNanos() - jvmStart;
        long other = otherCpuNanos() - otherStart;
        Map<String, Long> byName = new HashMap<>();
        if (threads.isThreadCpuTimeSupported()) {
            for (long id : threads.getAllThreadIds()) {
                ThreadInfo info = threads.getThreadInfo(id);
                long now = threads.getThreadCpuTime(id);
                if (info == null || now < 0) {
                    continue;
                }
                String name = info.getThreadName().replaceAll("#\\d+$", "").replaceAll("-\\d+$", "-N");
                byName.merge(name, now - threadStart.getOrDefault(id, 0L), Long::sum);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        double u = Math.max(1, units);
        out.put("jvm_cpu_ms_per_window", round(jvm / 1e6 / u));
        out.put("broker_cpu_ms_per_window", pid < 0 ? null : round(other / 1e6 / u));
        out.put("jvm_cores_busy", round(jvm / 1e9 / wall));
        out.put("broker_cores_busy", pid < 0 ? null : round(other / 1e9 / wall));
        Map<String, Double> top = new LinkedHashMap<>();
        byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6)
                .forEach(e -> top.put(e.getKey(), round(e.getValue() / 1e6 / u)));
        out.put("thread_cpu_ms_per_window", top);
        // every OS thread of this JVM (GC, JIT compilers, native BLAS threads too), by name as Linux shows it
        Map<String, Long> os = new HashMap<>();
        osThreads().forEach((k, v) -> os.merge(k.substring(k.indexOf(' ') + 1), v - osThreadStart.getOrDefault(k, 0L), Long::sum));
        if (!os.isEmpty()) {
            Map<String, Double> osTop = new LinkedHashMap<>();
            os.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
                    .forEach(e -> osTop.put(e.getKey(), round(e.getValue() / 1e6 / u)));
            out.put("os_thread_cpu_ms_per_window", osTop);
        }
        return out;
    }

    /** CPU nanoseconds of every thread of this process from /proc (key "tid name", digits in names folded to N); empty elsewhere. */
    private static Map<String, Long> osThreads() {
        Map<String, Long> out = new HashMap<>();
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return out;
        }
        try (var dirs = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) dirs::iterator) {
                try {
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                    out.put(t.getFileName() + " " + name, ticks * 10_000_000L); // USER_HZ = 100
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return out;
        }
        return out;
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private long otherCpuNanos() {
        if (pid < 0) {
            return 0;
        }
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
