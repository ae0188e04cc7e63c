package dev.tandem.tools.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --isa}: the values, and a real child JVM started with the restriction in its flags and environment. */
class IsaRestrictionTest {

    @Test
    void valuesAndErrors() {
        assertEquals(IsaRestriction.NATIVE, IsaRestriction.parse("native"));
        assertEquals(IsaRestriction.AVX2, IsaRestriction.parse("AVX2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IsaRestriction.parse("sse"));
        assertTrue(e.getMessage().contains("--isa") && e.getMessage().contains("native, avx2"), e.getMessage());
        assertFalse(IsaRestriction.NATIVE.needsChild());
        IsaRestriction.NATIVE.requireInEffect(); // nothing to check
    }

    @Test
    void theChildCommandKeepsTheJvmOptionsAndArgumentsAndCapsTheVectorWidth() {
        List<String> cmd = IsaRestriction.AVX2.childCommand("some.Main", new String[] {"bench", "w1", "--isa", "avx2"});
        assertTrue(cmd.contains("-XX:UseAVX=2"), cmd.toString());
        assertEquals(1, cmd.stream().filter(a -> a.startsWith("-XX:UseAVX=")).count(), cmd.toString());
        int main = cmd.indexOf("some.Main");
        assertEquals(List.of("bench", "w1", "--isa", "avx2"), cmd.subList(main + 1, cmd.size()));
        assertEquals("-cp", cmd.get(main - 2));
    }

    /** The child really runs with UseAVX=2 and the peer's variables (what the PyTorch peer then inherits). */
    @Test
    void aChildJvmRunsRestricted(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("child.txt");
        int code = IsaRestriction.AVX2.runInChild(ChildReport.class.getName(), new String[] {report.toString()});
        assertEquals(7, code);
        List<String> lines = Files.readAllLines(report);
        assertEquals(List.of("UseAVX=2", "OPENBLAS_CORETYPE=Haswell", "DNNL_MAX_CPU_ISA=AVX2",
                "ATEN_CPU_CAPABILITY=avx2", "TANDEM_BENCH_ISA=avx2"), lines);
    }

    /** The child's main: writes what it runs with, exits 7. */
    public static final class ChildReport {
        public static void main(String[] args) throws Exception {
            Files.write(Path.of(args[0]), List.of("UseAVX=" + BenchEnvironment.vmOption("UseAVX"),
                    "OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE"),
                    "DNNL_MAX_CPU_ISA=" + System.getenv("DNNL_MAX_CPU_ISA"),
                    "ATEN_CPU_CAPABILITY=" + System.getenv("ATEN_CPU_CAPABILITY"),
                    "TANDEM_BENCH_ISA=" + System.getenv("TANDEM_BENCH_ISA")));
            System.exit(7);
        }
    }
}
