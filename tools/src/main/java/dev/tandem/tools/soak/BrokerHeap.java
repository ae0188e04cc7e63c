package dev.tandem.tools.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The live heap of another JVM on this host (the soak's broker), through the JDK's {@code jcmd}. */
final class BrokerHeap {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private BrokerHeap() {
    }

    /** Heap in use right after a full GC of process {@code pid}, in bytes; -1 when it cannot be read. */
    static long liveBytes(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            if (jcmd(pid, "GC.run") == null) {
                return -1;
            }
            String info = jcmd(pid, "GC.heap_info");
            return info == null ? -1 : usedBytes(info);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The sum of the generations' "used NK" of a {@code GC.heap_info} answer (Serial and Parallel GC print one line
     * per generation; the metaspace lines say "used NK" too but start with "Metaspace"/"class space").
     */
    static long usedBytes(String heapInfo) {
        long sum = 0;
        boolean any = false;
        for (String line : heapInfo.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Metaspace") || t.startsWith("class space") || t.startsWith("eden") || t.startsWith("from")
                    || t.startsWith("to") || t.startsWith("object space")) {
                continue; // metaspace, and the spaces inside a generation (already in its line)
            }
            Matcher m = USED.matcher(t);
            if (t.contains("generation") && m.find()) {
                sum += Long.parseLong(m.group(1)) * 1024;
                any = true;
            }
        }
        return any ? sum : -1;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            return null;
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
