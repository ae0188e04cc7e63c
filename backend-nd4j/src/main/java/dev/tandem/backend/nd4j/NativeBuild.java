package dev.tandem.backend.nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which nd4j-native build this JVM loads, chosen before ND4J first loads.
 *
 * <p>Tandem ships one native build, {@code linux-x86_64-onednn-avx2} (the parent pom's
 * {@code nd4j.native.classifier}): libnd4j with oneDNN linked in, which runs convolutions on oneDNN kernels that it
 * picks for the CPU at run time (AVX2, or AVX-512 where present), so one build serves both machine kinds. It needs
 * AVX2 and FMA. JavaCPP finds a build by its platform extension ({@value #EXTENSION}); unless the user chose one,
 * {@link #select()} sets the extension of the first build on the class path that this CPU can run: the oneDNN one
 * on an AVX2 CPU, the generic one where a build swaps it in ({@code -Dnd4j.native.classifier=linux-x86_64}). On a
 * CPU without AVX2 and only the oneDNN build, nothing is selected and ND4J fails to load, so
 * {@code compute.backend=auto} falls back to the Java backend (same results, slower).
 */
record NativeBuild(String extension, boolean chosenByUser, Set<String> cpuFlags) {
    static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";
    private static final String BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64";
    /** Builds Tandem knows, best first: extension and the CPU flags it needs. */
    private static final List<String[]> KNOWN = List.of(
            new String[] {"-onednn-avx512", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"},
            new String[] {"-onednn-avx2", "avx2", "fma"},
            new String[] {"-onednn"},
            new String[] {"-avx512", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"},
            new String[] {"-avx2", "avx2", "fma"},
            new String[] {""});

    private static volatile NativeBuild selected;

    /** Chooses (first call) and returns the build; sets {@value #EXTENSION} when the user did not. */
    static synchronized NativeBuild select() {
        if (selected == null) {
            Set<String> flags = readCpuFlags();
            String user = System.getProperty(EXTENSION);
            if (user != null) {
                selected = new NativeBuild(user, true, flags);
            } else {
                String ext = choose(flags, e -> NativeBuild.class.getClassLoader()
                        .getResource(BINDINGS + e + "/libjnind4jcpu.so") != null);
                if (ext != null && !ext.isEmpty()) {
                    System.setProperty(EXTENSION, ext);
                }
                selected = new NativeBuild(ext == null ? "(none usable on this CPU)" : ext, false, flags);
            }
        }
        return selected;
    }

    /** The first known build present (per {@code present}) whose CPU flags this CPU has, or null. */
    static String choose(Set<String> flags, java.util.function.Predicate<String> present) {
        for (String[] k : KNOWN) {
            boolean runs = flags.isEmpty() // flags unknown (not Linux): let the loader try
                    || Arrays.stream(k, 1, k.length).allMatch(flags::contains);
            if (runs && present.test(k[0])) {
                return k[0];
            }
        }
        return null;
    }

    /** The build links oneDNN (so libnd4j's conv2d ops run on oneDNN kernels). */
    boolean oneDnn() {
        return extension.startsWith("-onednn");
    }

    /** The nd4j-native classifier, e.g. "linux-x86_64-onednn-avx2". */
    String classifier() {
        return "linux-x86_64" + extension;
    }

    /** The CPU's vector extensions that matter for the kernels, e.g. "avx2 fma avx512f avx512bw ...". */
    String vectorFlags() {
        StringBuilder b = new StringBuilder();
        for (String f : cpuFlags) {
            if (f.startsWith("avx") || f.equals("fma") || f.startsWith("amx")) {
                b.append(b.length() == 0 ? "" : " ").append(f);
            }
        }
        return b.toString();
    }

    /** The CPU's flags from /proc/cpuinfo (empty where there is none). */
    static Set<String> readCpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    return new LinkedHashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or not readable: unknown
        }
        return Set.of();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "nd4j-native %s%s", classifier(), chosenByUser ? " (chosen by -D" + EXTENSION + ")" : "");
    }
}
