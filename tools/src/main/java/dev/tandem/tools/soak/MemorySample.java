package dev.tandem.tools.soak;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory of this JVM and of another process at one moment: heap in use, heap live (in use right after a full
 * collection, so garbage that has not been collected yet does not look like growth), direct NIO buffers, the native
 * bytes JavaCPP (ND4J's allocator) holds ({@code Pointer.totalBytes}) and the process's physical bytes as JavaCPP
 * reads them ({@code Pointer.physicalBytes}), and the resident set of both processes ({@code VmRSS} of
 * {@code /proc/PID/status}). A figure that cannot be read here is -1.
 */
public record MemorySample(long heapUsed, long heapLive, long directBytes, long javacppBytes, long javacppPhysicalBytes,
                           long rssBytes, long otherRssBytes) {

    /** Reads the figures now; {@code collect} runs a full collection first for {@link #heapLive}. */
    public static MemorySample now(long otherPid, boolean collect) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = memory.getHeapMemoryUsage().getUsed();
        long live = -1;
        if (collect) {
            System.gc(); // explicit: the live set, not the allocation rate between collections
            live = memory.getHeapMemoryUsage().getUsed();
        }
        long direct = -1;
        List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
        for (BufferPoolMXBean p : pools) {
            if (p.getName().equals("direct")) {
                direct = p.getMemoryUsed();
            }
        }
        return new MemorySample(used, live, direct, javacpp("totalBytes"), javacpp("physicalBytes"),
                rss(ProcessHandle.current().pid()), otherPid > 0 ? rss(otherPid) : -1);
    }

    /**
     * A static long getter of org.bytedeco.javacpp.Pointer, by reflection: the Java backend never loads JavaCPP, and
     * the sampler must not be what loads it (-1 then).
     */
    static long javacpp(String method) {
        try {
            Class<?> pointer = Class.forName("org.bytedeco.javacpp.Pointer", false, MemorySample.class.getClassLoader());
            if (!loaded(pointer)) {
                return -1;
            }
            return (long) pointer.getMethod(method).invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return -1;
        }
    }

    private static boolean loaded(Class<?> pointer) {
        // Pointer.totalBytes is plain Java; physicalBytes is native and needs JavaCPP's library, which
        // Loader.isLoadLibraries alone does not say is loaded: ask Loader for the loaded libraries
        try {
            Class<?> loader = Class.forName("org.bytedeco.javacpp.Loader", false, pointer.getClassLoader());
            Object libs = loader.getMethod("getLoadedLibraries").invoke(null);
            return libs instanceof java.util.Map<?, ?> m && !m.isEmpty();
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** VmRSS of /proc/PID/status in bytes, or -1 (not Linux, or the process is gone). */
    public static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
        return -1;
    }
}
