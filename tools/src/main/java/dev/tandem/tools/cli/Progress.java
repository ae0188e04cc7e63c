package dev.tandem.tools.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on standard error (standard output stays clean for results). On a terminal it
 * redraws in place; otherwise it prints a line at most every few seconds.
 */
public final class Progress {
    private final PrintStream err;
    private final String label;
    private final long total;
    private final boolean tty;
    private final long started = System.nanoTime();
    private long lastPrint;

    public Progress(PrintStream err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.tty = System.console() != null;
    }

    public void update(long done, String detail) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (!last && now - lastPrint < (tty ? 200_000_000L : 5_000_000_000L)) {
            return;
        }
        lastPrint = now;
        double seconds = (now - started) / 1e9;
        int width = 24;
        int filled = total == 0 ? width : (int) (width * Math.min(1.0, (double) done / total));
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        String eta = done > 0 && !last ? String.format(Locale.ROOT, " eta %.0fs", seconds * (total - done) / done) : "";
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d %s %.0fs%s", label, bar, done, total, detail, seconds, eta);
        if (tty) {
            err.print("\r" + line + "\033[K" + (last ? "\n" : ""));
        } else {
            err.println(line);
        }
        err.flush();
    }

    public void message(String text) {
        if (tty) {
            err.print("\r\033[K");
        }
        err.println(text);
        err.flush();
    }
}
