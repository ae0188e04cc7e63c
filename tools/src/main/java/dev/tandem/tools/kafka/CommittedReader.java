package dev.tandem.tools.kafka;

import dev.tandem.job.kafka.KafkaEnds;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Reads output topics as a downstream application would: {@code read_committed}, so only records of committed
 * transactions (completed checkpoints) are seen. Runs on its own thread; counts records per topic and hands each
 * value to an optional listener.
 */
public final class CommittedReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final BiConsumer<String, byte[]> listener;
    private volatile Exception failure;

    public CommittedReader(String bootstrap, List<String> topics, BiConsumer<String, byte[]> listener) {
        this(bootstrap, Map.of(), topics, listener);
    }

    /** With client security properties ({@code KafkaClientSecurity.properties} of the configuration). */
    public CommittedReader(String bootstrap, Map<String, String> security, List<String> topics,
                           BiConsumer<String, byte[]> listener) {
        this.consumer = new KafkaConsumer<>(KafkaEnds.readCommittedConsumer(bootstrap, "tandem-reader-" + System.nanoTime(),
                security));
        this.listener = listener;
        consumer.subscribe(topics);
        for (String t : topics) {
            counts.put(t, 0L);
        }
        this.thread = new Thread(this::loop, "tandem-committed-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.merge(r.topic(), 1L, Long::sum);
                    if (listener != null) {
                        listener.accept(r.topic(), r.value());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (Exception e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    public long count(String topic) {
        if (failure != null) {
            throw new IllegalStateException("reader failed: " + failure.getMessage(), failure);
        }
        return counts.getOrDefault(topic, 0L);
    }

    /** Waits until the condition holds or the timeout passes; returns whether it holds. */
    public boolean await(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(5000);
    }

    public static List<String> topics(String... t) {
        return new ArrayList<>(List.of(t));
    }
}
