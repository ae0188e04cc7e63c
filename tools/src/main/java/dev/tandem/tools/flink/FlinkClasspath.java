package dev.tandem.tools.flink;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The classpath of a bare Flink 2.2 cluster (what a distribution's lib/ holds), resolved from Maven with
 * {@code scripts/flink-cluster/pom.xml} (there is no flink-dist on the registry): {@code mvn dependency:build-classpath}
 * offline first, online if something is missing, cached in {@code tools/target/flink-cluster-classpath.txt} until
 * that pom or the parent pom changes.
 */
public final class FlinkClasspath {
    private FlinkClasspath() {
    }

    /** The classpath (':'-separated) for the repository at root; resolves it if the cache is missing or stale. */
    public static String resolve(Path root) throws IOException, InterruptedException {
        Path pom = root.resolve("scripts/flink-cluster/pom.xml");
        if (!Files.exists(pom)) {
            throw new IOException("no " + pom + ": the Flink cluster classpath is resolved from the Tandem repository");
        }
        Path cache = root.resolve("tools/target/flink-cluster-classpath.txt");
        if (fresh(cache, pom, root.resolve("pom.xml"))) {
            return Files.readString(cache).trim();
        }
        Files.createDirectories(cache.getParent());
        Path log = cache.resolveSibling("flink-cluster-classpath.log");
        if (mvn(root, pom, cache, log, true) != 0 && mvn(root, pom, cache, log, false) != 0) {
            throw new IOException("could not resolve the Flink cluster classpath with Maven (see " + log + "):\n"
                    + tail(log));
        }
        String cp = Files.readString(cache).trim();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!Files.exists(Path.of(entry))) {
                throw new IOException("the resolved Flink classpath names a missing file: " + entry);
            }
        }
        return cp;
    }

    private static boolean fresh(Path cache, Path... sources) throws IOException {
        if (!Files.exists(cache) || Files.size(cache) == 0) {
            return false;
        }
        for (Path s : sources) {
            if (Files.getLastModifiedTime(s).compareTo(Files.getLastModifiedTime(cache)) > 0) {
                return false;
            }
        }
        for (String entry : Files.readString(cache).trim().split(File.pathSeparator)) {
            if (!Files.exists(Path.of(entry))) {
                return false;
            }
        }
        return true;
    }

    private static int mvn(Path root, Path pom, Path out, Path log, boolean offline) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-q", "-B", "-Dstyle.color=never"));
        if (offline) {
            cmd.add("-o");
        }
        cmd.addAll(List.of("-f", pom.toString(), "dependency:build-classpath", "-DincludeScope=runtime",
                "-Dmdep.outputFile=" + out));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException("cannot run mvn (needed once to resolve the Flink cluster classpath): " + e.getMessage(), e);
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
