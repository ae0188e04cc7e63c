package dev.tandem.tools.cli;

import dev.tandem.tools.bench.IsaRestriction;
import picocli.CommandLine.Option;

/** The {@code --isa} option of the training benchmarks (see {@link IsaRestriction}). */
public final class IsaOption {
    @Option(names = "--isa", paramLabel = "ISA", defaultValue = "native",
            description = {"Vector ISA for both sides: native (the CPU's best) or avx2 (a child JVM with -XX:UseAVX=2,",
                    "OPENBLAS_CORETYPE=Haswell, DNNL_MAX_CPU_ISA=AVX2, ATEN_CPU_CAPABILITY=avx2 for the peer).",
                    "Default: ${DEFAULT-VALUE}."})
    String value;

    IsaRestriction restriction() {
        return IsaRestriction.parse(value);
    }

    /**
     * Under a restriction not yet in effect: runs this same command in a restricted child JVM and returns its exit
     * status; otherwise checks that the restriction took (UseAVX, the environment) and returns null: run here.
     */
    Integer relaunchIfNeeded() throws Exception {
        IsaRestriction r = restriction();
        if (r.needsChild()) {
            if (Tandem.invocation.length == 0) {
                throw new IllegalStateException("--isa " + value + " re-runs the command line in a child JVM; "
                        + "start it through the tandem command (dev.tandem.tools.cli.Tandem)");
            }
            return r.runInChild(Tandem.class.getName(), Tandem.invocation);
        }
        r.requireInEffect();
        return null;
    }
}
