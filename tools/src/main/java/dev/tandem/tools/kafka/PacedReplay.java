package dev.tandem.tools.kafka;

import dev.tandem.tools.cli.JsonOutput;
import dev.tandem.tools.cli.Progress;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The loop of both {@code tandem replay} commands: sends records through a {@link RecordProducer} at a fixed rate
 * ({@link Pacer}) with a progress bar, then prints the summary line and, with {@code --json}, the summary object.
 */
public final class PacedReplay {
    /** What a replay did. */
    public record Result(long sent, double seconds) {
        public double rate() {
            return sent / seconds;
        }
    }

    private PacedReplay() {
    }

    /** The next record, made when it is about to be sent (so it can carry the send time); null at the end. */
    @FunctionalInterface
    public interface Source<T> {
        T next() throws java.io.IOException;
    }

    /** Sends up to {@code total} records of {@code records} at {@code rate} per second; {@code unit} names them. */
    public static <T> Result run(RecordProducer<T> out, Iterator<T> records, long total, double rate, String unit)
            throws InterruptedException, java.io.IOException {
        return run(out, () -> records.hasNext() ? records.next() : null, total, rate, unit);
    }

    public static <T> Result run(RecordProducer<T> out, Source<T> records, long total, double rate, String unit)
            throws InterruptedException, java.io.IOException {
        Progress progress = new Progress(System.err, "replay", total);
        long started = System.nanoTime();
        long sent = 0;
        Pacer pacer = new Pacer(rate);
        T record;
        while (sent < total && (record = records.next()) != null) {
            out.send(record);
            sent++;
            progress.update(sent, String.format(Locale.ROOT, "%.0f %s/s", sent / ((System.nanoTime() - started) / 1e9), unit));
            pacer.await();
        }
        out.flush();
        return new Result(sent, (System.nanoTime() - started) / 1e9);
    }

    /** The summary line, and the JSON object (with {@code extra} fields first) when asked. */
    public static void report(Result r, String unit, String topic, boolean json, Map<String, Object> extra) {
        System.out.printf(Locale.ROOT, "replayed %d %s in %.1f s (%.1f/s) into %s%n", r.sent(), unit, r.seconds(), r.rate(),
                topic);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put(unit, r.sent());
            o.putAll(extra);
            o.put("seconds", Math.round(r.seconds() * 10) / 10.0);
            o.put("rate", Math.round(r.rate() * 10) / 10.0);
            o.put("topic", topic);
            JsonOutput.print(System.out, o);
        }
    }
}
