package dev.tandem.tools.soak;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Samples the memory of the soak's processes ({@link MemorySample}) and the job's figures (checkpoint size,
 * restarts, records in and out) at a fixed interval into a CSV file (one header line, then one row a sample) and
 * keeps the rows for the checks of {@link SoakCheck}.
 */
public final class SoakSampler implements AutoCloseable {
    public static final List<String> COLUMNS = List.of("seconds", "heap_used_bytes", "heap_live_bytes", "direct_bytes",
            "javacpp_bytes", "javacpp_physical_bytes", "tandem_rss_bytes", "broker_rss_bytes", "broker_heap_live_bytes",
            "checkpoint_bytes", "restarts", "windows_in", "predictions_out", "readings_in", "forecasts_out", "dead_letters");
    private final PrintWriter out;
    private final LongSupplier brokerPid;
    private final LongSupplier checkpointBytes;
    private final LongSupplier restarts;
    private final Supplier<Map<String, Object>> counts;
    private final Duration every;
    private final long started = System.nanoTime();
    private final List<long[]> rows = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private boolean brokerHeap;

    public SoakSampler(Path csv, Duration every, LongSupplier brokerPid, LongSupplier checkpointBytes,
                       LongSupplier restarts, Supplier<Map<String, Object>> counts) throws IOException {
        if (csv.toAbsolutePath().getParent() != null) {
            Files.createDirectories(csv.toAbsolutePath().getParent());
        }
        this.out = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8));
        this.every = every;
        this.brokerPid = brokerPid;
        this.checkpointBytes = checkpointBytes;
        this.restarts = restarts;
        this.counts = counts;
        out.println(String.join(",", COLUMNS));
        out.flush();
        this.thread = new Thread(this::loop, "tandem-soak-sampler");
        thread.setDaemon(true);
    }

    /**
     * Also sample the broker's live heap: a full GC in the broker, then its heap in use ({@code jcmd GC.run},
     * {@code GC.heap_info}). Its RSS alone cannot tell a leak from the heap growing into its {@code -Xmx}. Costs two
     * jcmd processes (~1 s of CPU) per sample, so the long soak does it and the CI variant does not (column -1).
     */
    public SoakSampler withBrokerHeap(boolean on) {
        this.brokerHeap = on;
        return this;
    }

    public SoakSampler start() {
        thread.start();
        return this;
    }

    private void loop() {
        long next = System.nanoTime();
        while (running) {
            sample();
            next += every.toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Takes one sample now and writes its row. */
    public long[] sample() {
        MemorySample m = MemorySample.now(brokerPid.getAsLong(), true);
        Map<String, Object> c = counts.get();
        long[] row = {Math.round((System.nanoTime() - started) / 1e9), m.heapUsed(), m.heapLive(), m.directBytes(),
                m.javacppBytes(), m.javacppPhysicalBytes(), m.rssBytes(), m.otherRssBytes(),
                brokerHeap ? BrokerHeap.liveBytes(brokerPid.getAsLong()) : -1, checkpointBytes.getAsLong(),
                restarts.getAsLong(), number(c, "windows_in"), number(c, "predictions_out"), number(c, "readings_in"),
                number(c, "forecasts_out"), number(c, "dead_letters")};
        rows.add(row);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
            s.append(i == 0 ? "" : ",").append(row[i]);
        }
        synchronized (out) {
            out.println(s);
            out.flush();
            if (out.checkError()) {
                throw new UncheckedIOException(new IOException("cannot write the soak samples"));
            }
        }
        return row;
    }

    private static long number(Map<String, Object> c, String key) {
        Object v = c.get(key);
        return v instanceof Number n ? n.longValue() : -1;
    }

    /** The rows so far, in the order of {@link #COLUMNS}. */
    public List<long[]> rows() {
        synchronized (rows) {
            return List.copyOf(rows);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (out) {
            out.close();
        }
    }
}
