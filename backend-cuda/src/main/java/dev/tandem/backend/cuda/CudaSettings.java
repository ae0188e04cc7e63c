package dev.tandem.backend.cuda;

import java.util.Locale;

/**
 * Per-process settings of the CUDA backend. They are JVM-wide (one CUDA context per process, shared by every
 * operator of a TaskManager), so they are system properties, not job keys: set them with {@code -D} in
 * {@code env.java.opts.taskmanager} (Flink) or {@code JAVA_TOOL_OPTIONS}, or through the environment variables;
 * a system property wins over the environment.
 * <ul>
 *   <li>{@value #MEMORY_LIMIT} ({@value #ENV_MEMORY_LIMIT}): device memory the process may hold, as bytes with an
 *       optional k/m/g/t suffix or a percentage of the device's memory; default {@value #DEFAULT_MEMORY_LIMIT}.</li>
 *   <li>{@value #DEVICE} ({@value #ENV_DEVICE}): the device ordinal; default 0 (CUDA_VISIBLE_DEVICES also
 *       chooses).</li>
 * </ul>
 */
public final class CudaSettings {
    public static final String MEMORY_LIMIT = "tandem.cuda.memory-limit";
    public static final String ENV_MEMORY_LIMIT = "TANDEM_CUDA_MEMORY_LIMIT";
    public static final String DEFAULT_MEMORY_LIMIT = "80%";
    public static final String DEVICE = "tandem.cuda.device";
    public static final String ENV_DEVICE = "TANDEM_CUDA_DEVICE";

    private CudaSettings() {
    }

    /** The raw setting: system property, else environment, else the default. */
    static String raw(String property, String env, String def) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? def : v.trim();
    }

    /** The memory limit in bytes for a device of {@code deviceBytes}; throws naming the setting when invalid. */
    public static long memoryLimit(long deviceBytes) {
        return parseMemoryLimit(raw(MEMORY_LIMIT, ENV_MEMORY_LIMIT, DEFAULT_MEMORY_LIMIT), deviceBytes);
    }

    static long parseMemoryLimit(String value, long deviceBytes) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("%")) {
                double pct = Double.parseDouble(v.substring(0, v.length() - 1));
                if (pct > 0 && pct <= 100) {
                    return (long) (deviceBytes * pct / 100);
                }
            } else {
                long unit = 1;
                char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
                int shift = switch (last) {
                    case 'k' -> 10;
                    case 'm' -> 20;
                    case 'g' -> 30;
                    case 't' -> 40;
                    default -> 0;
                };
                if (shift > 0) {
                    v = v.substring(0, v.length() - 1);
                    unit = 1L << shift;
                }
                long n = Long.parseLong(v.trim());
                if (n > 0) {
                    return n * unit;
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(MEMORY_LIMIT + " = '" + value + "' is invalid; allowed: a byte count > 0 "
                + "with an optional k, m, g or t suffix (e.g. 6g), or a percentage of the device's memory in (0, 100] "
                + "(e.g. 80%)");
    }

    /** The device ordinal; throws naming the setting when invalid. */
    public static int device() {
        String v = raw(DEVICE, ENV_DEVICE, "0");
        try {
            int d = Integer.parseInt(v);
            if (d >= 0) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(DEVICE + " = '" + v + "' is invalid; allowed: a device ordinal >= 0");
    }
}
