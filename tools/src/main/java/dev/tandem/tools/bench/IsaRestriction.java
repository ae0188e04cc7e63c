package dev.tandem.tools.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --isa}: run both sides restricted to a vector ISA, so that an AVX-512 machine measures what an AVX2
 * one would. {@code native} (the default) restricts nothing. {@code avx2} runs the benchmark in a child JVM with
 * {@code -XX:UseAVX=2} (the JIT's vector width can only be set at start-up) and these in its environment, which the
 * PyTorch peer inherits: {@code OPENBLAS_CORETYPE=Haswell} (OpenBLAS's AVX2 kernels, Tandem's products and the
 * peer's), {@code DNNL_MAX_CPU_ISA=AVX2} (oneDNN, in libnd4j and in PyTorch), {@code ATEN_CPU_CAPABILITY=avx2}
 * (PyTorch's own vectorised kernels).
 */
public enum IsaRestriction {
    NATIVE(null, Map.of()),
    AVX2(2, Map.of("OPENBLAS_CORETYPE", "Haswell", "DNNL_MAX_CPU_ISA", "AVX2", "ATEN_CPU_CAPABILITY", "avx2"));

    /** The variables the restriction sets, reported by every benchmark. */
    public static final List<String> PEER_ENV_KEYS = List.of("OPENBLAS_CORETYPE", "DNNL_MAX_CPU_ISA",
            "ATEN_CPU_CAPABILITY");
    /** Marks the child JVM, so that it runs the benchmark instead of starting another child. */
    static final String CHILD_MARK = "TANDEM_BENCH_ISA";

    private final Integer useAvx;
    private final Map<String, String> env;

    IsaRestriction(Integer useAvx, Map<String, String> env) {
        this.useAvx = useAvx;
        this.env = env;
    }

    /** The option's value: "native" or "avx2" (case-insensitive). */
    public static IsaRestriction parse(String v) {
        for (IsaRestriction r : values()) {
            if (r.name().equalsIgnoreCase(v.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("--isa " + v + "; allowed: native, avx2");
    }

    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when this JVM must start a restricted child instead of running the benchmark itself. */
    public boolean needsChild() {
        return this != NATIVE && !optionValue().equals(System.getenv(CHILD_MARK));
    }

    /** The restriction is in effect in this JVM (the child's check that its flags took). */
    public void requireInEffect() {
        if (this == NATIVE) {
            return;
        }
        String avx = BenchEnvironment.vmOption("UseAVX");
        if (!String.valueOf(useAvx).equals(avx)) {
            throw new IllegalStateException("--isa " + optionValue() + ": the JVM runs with UseAVX=" + avx
                    + ", expected " + useAvx);
        }
        if (!BenchEnvironment.vectorFlags().contains(optionValue())) {
            throw new IllegalStateException("--isa " + optionValue() + ": this CPU has no " + optionValue()
                    + " (vector flags: " + BenchEnvironment.vectorFlags() + ")");
        }
        env.forEach((k, v) -> {
            if (!v.equals(System.getenv(k))) {
                throw new IllegalStateException("--isa " + optionValue() + ": " + k + " = " + System.getenv(k)
                        + ", expected " + v);
            }
        });
    }

    /** The child's command line: this JVM's binary and options plus {@code -XX:UseAVX=N}, the same arguments. */
    List<String> childCommand(String mainClass, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + "/bin/java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-XX:UseAVX=")) {
                cmd.add(a);
            }
        }
        cmd.add("-XX:UseAVX=" + useAvx);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the same command in a restricted child JVM (standard streams inherited); returns its exit status. */
    public int runInChild(String mainClass, String[] args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(childCommand(mainClass, args)).inheritIO();
        pb.environment().putAll(env);
        pb.environment().put(CHILD_MARK, optionValue());
        System.err.println("bench --isa " + optionValue() + ": re-running in a JVM with -XX:UseAVX=" + useAvx
                + " and " + env);
        return pb.start().waitFor();
    }
}
