package dev.tandem.tools.bench;

import dev.tandem.backend.nd4j.Nd4jBackend;
import dev.tandem.learning.tensor.Backend;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a benchmark ran, for its JSON: the CPU model and vector extensions, the load average at the start (the
 * machines are shared), the JVM and the vector width it compiles for ({@code -XX:UseAVX}, {@code MaxVectorSize}),
 * the ISA restriction asked for ({@code --isa}), the native builds and kernel sets behind the backend (nd4j-native
 * classifier, libnd4j build, OpenBLAS, oneDNN's cap), and, after the run, which kernel each convolution shape
 * took. Figures from different machines are comparable only with this next to them.
 */
public final class BenchEnvironment {
    private BenchEnvironment() {
    }

    /** The machine and JVM, before the run (puts the keys under "environment"). */
    public static Map<String, Object> describe(Backend backend, IsaRestriction isa) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu_model", cpuInfo("model name"));
        m.put("cpu_count", Runtime.getRuntime().availableProcessors());
        m.put("cpu_vector_flags", vectorFlags());
        m.put("load_average_at_start", loadAverage());
        m.put("isa", isa.optionValue());
        m.put("jvm", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("jvm_use_avx", vmOption("UseAVX"));
        m.put("jvm_max_vector_size_bytes", vmOption("MaxVectorSize"));
        m.put("jvm_vector_api", dev.tandem.learning.tensor.FloatReductions.implementation());
        m.put("backend", backend.name());
        if (backend instanceof Nd4jBackend) {
            m.putAll(Nd4jBackend.nativeInfo());
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String k : IsaRestriction.PEER_ENV_KEYS) {
            String v = System.getenv(k);
            env.put(k, v == null ? "unset" : v);
        }
        m.put("isa_environment", env);
        return m;
    }

    /** After the run: which kernel each convolution shape ran on (empty for backends that do not tell). */
    public static Map<String, String> kernelChoices(Backend backend) {
        return backend instanceof Nd4jBackend nd ? nd.kernelChoices() : Map.of();
    }

    /** Puts "environment" (machine, JVM, native builds) and, after the run, "kernel_choices" into a result. */
    public static void put(Map<String, Object> out, Map<String, Object> environment, Backend backend) {
        out.put("environment", environment);
        Map<String, String> choices = kernelChoices(backend);
        if (!choices.isEmpty()) {
            out.put("kernel_choices", choices);
        }
    }

    static String cpuInfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
    }

    static String vectorFlags() {
        String flags = cpuInfo("flags");
        List<String> out = new ArrayList<>();
        for (String f : flags.split("\\s+")) {
            if (f.startsWith("avx") || f.equals("fma") || f.startsWith("amx") || f.startsWith("sse4")) {
                out.add(f);
            }
        }
        return String.join(" ", out);
    }

    /** The 1-, 5- and 15-minute load averages, e.g. "0.52 0.61 0.40" (what else ran on the machine). */
    static String loadAverage() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return p[0] + " " + p[1] + " " + p[2];
        } catch (IOException | RuntimeException e) {
            return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** A HotSpot flag's value as the JVM runs it (e.g. UseAVX = 3 on AVX-512, 2 under {@code -XX:UseAVX=2}). */
    static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
    }
}
