package dev.tandem.tools.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The log file of this process (log4j2, {@code log4j2.properties} of the tools module; {@link #install}, called by
 * {@code tandem}'s main, names the file; the tests' surefire configuration names theirs). A checkpoint's root cause
 * reaches Flink's checkpoint statistics and REST API only as the top-level message ("Asynchronous task checkpoint
 * failed."), so {@link #rootCause} reads it from the task's log lines, which carry the whole chain.
 */
public final class FlinkLog {
    public static final String FILE_PROPERTY = "tandem.log.file";
    /** The start of a line of the log file: optional time, [thread], level. */
    static final java.util.regex.Pattern LOG_LINE_START =
            java.util.regex.Pattern.compile("^(\\S+ )?\\[[^\\]]*\\] (TRACE|DEBUG|INFO|WARN|ERROR) ");

    private FlinkLog() {
    }

    /**
     * Names the log file {@code <java.io.tmpdir>/tandem-<pid>.log} unless {@code -Dtandem.log.file} did; before the
     * first logger, since log4j2 reads the name when it starts.
     */
    public static void install() {
        if (System.getProperty(FILE_PROPERTY) == null) {
            System.setProperty(FILE_PROPERTY, Path.of(System.getProperty("java.io.tmpdir"),
                    "tandem-" + ProcessHandle.current().pid() + ".log").toString());
        }
    }

    /** The log file, or null when logging goes elsewhere. */
    public static Path path() {
        String p = System.getProperty(FILE_PROPERTY);
        return p == null || p.equals("System.err") || p.equals("System.out") ? null : Path.of(p);
    }

    /**
     * The deepest "Caused by:" of the first stack trace in the log whose first line mentions {@code marker}
     * (case-insensitive), at or after line {@code fromLine}; null when there is none.
     */
    public static String rootCause(String marker, int fromLine) {
        Path p = path();
        if (p == null || !Files.isRegularFile(p)) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
        return rootCause(lines, marker, fromLine);
    }

    static String rootCause(List<String> lines, String marker, int fromLine) {
        String m = marker.toLowerCase(java.util.Locale.ROOT);
        for (int i = Math.max(0, fromLine); i < lines.size(); i++) {
            if (!lines.get(i).toLowerCase(java.util.Locale.ROOT).contains(m)) {
                continue;
            }
            if (i + 1 >= lines.size() || LOG_LINE_START.matcher(lines.get(i + 1)).find() || lines.get(i + 1).startsWith("\t")) {
                continue; // a log line without a stack trace after it
            }
            String cause = lines.get(i + 1); // the exception's own line, then its "Caused by:" chain
            for (int j = i + 2; j < lines.size(); j++) {
                String l = lines.get(j);
                if (l.startsWith("Caused by: ")) {
                    cause = l.substring("Caused by: ".length());
                } else if (LOG_LINE_START.matcher(l).find()) {
                    break; // the next log line: this trace is over
                }
            }
            if (cause != null) {
                return cause;
            }
        }
        return null;
    }

    /** Lines in the log now (to look only at what comes after). */
    public static int lineCount() {
        Path p = path();
        if (p == null || !Files.isRegularFile(p)) {
            return 0;
        }
        try (var s = Files.lines(p, StandardCharsets.UTF_8)) {
            return (int) s.count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
