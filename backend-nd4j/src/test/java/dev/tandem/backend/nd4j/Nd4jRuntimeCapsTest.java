package dev.tandem.backend.nd4j;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The off-heap caps Nd4jRuntime sets before ND4J loads, checked in fresh JVMs (a JVM fixes them once). */
class Nd4jRuntimeCapsTest {
    private static final long G = 1L << 30;

    @Test
    void defaultsApplyWhenNothingIsSet() throws Exception {
        Map<String, String> out = run(List.of("-Xmx512m"), Map.of());
        assertEquals("true", out.get("usable"), out.toString());
        assertEquals(Long.toString(G), out.get("maxBytes"));
        assertEquals(Long.toString(3 * G), out.get("maxPhysicalBytes")); // max(3G, 512M + 2G)
        assertTrue(out.get("reason").contains("off-heap cap 1G, process cap 3G"), out.get("reason"));
    }

    @Test
    void physicalCapFollowsALargeHeap() throws Exception {
        Map<String, String> out = run(List.of("-Xmx4g"), Map.of());
        long heap = Long.parseLong(out.get("maxMemory")); // about 4G (some collectors report a little less)
        assertEquals(Long.toString(heap + 2 * G), out.get("maxPhysicalBytes"));
    }

    @Test
    void propertiesAndEnvironmentOverride() throws Exception {
        Map<String, String> out = run(List.of("-Xmx512m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G"),
                Map.of(Nd4jRuntime.ENV_MAX_BYTES, "700M", Nd4jRuntime.ENV_MAX_PHYSICAL_BYTES, "9G"));
        assertEquals(Long.toString(700L << 20), out.get("maxBytes"));
        assertEquals(Long.toString(5 * G), out.get("maxPhysicalBytes"), "-D wins over the environment");
    }

    private static Map<String, String> run(List<String> jvmArgs, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CapsMain.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove(Nd4jRuntime.ENV_MAX_BYTES);
        pb.environment().remove(Nd4jRuntime.ENV_MAX_PHYSICAL_BYTES);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(0, p.exitValue(), text);
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }
}
