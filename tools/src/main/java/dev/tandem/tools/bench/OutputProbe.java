package dev.tandem.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.job.kafka.KafkaEnds;
import dev.tandem.operators.common.Json;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Watches the prediction topic from outside the job with one isolation level: {@code read_uncommitted} sees a
 * prediction as soon as the job's (transactional) producer has appended it, {@code read_committed} only once the
 * checkpoint that covers it has committed. For every prediction it keeps the time it arrived here (wall clock,
 * ms), the record's timestamp (the job's sinks carry the source record's timestamp, which is the input topic's
 * LogAppendTime in W4), whether it was labelled, and the model version that made it. Partitions are assigned (no
 * consumer group rebalance) and read from the beginning.
 */
public final class OutputProbe implements AutoCloseable {
    /**
     * One observed prediction: when it arrived here, its record timestamp (the window's send time in W4), whether
     * it was labelled, the model version that made it, its machine, whether its decision was its label, and whether
     * the base network was frozen when it was made (false without a decision stage).
     */
    public record Seen(long arrivedMs, long sourceMs, boolean labelled, long modelVersion, String machine,
                       boolean correct, boolean frozen) {
        public Seen(long arrivedMs, long sourceMs, boolean labelled, long modelVersion) {
            this(arrivedMs, sourceMs, labelled, modelVersion, null, false, false);
        }

        public long latencyMs() {
            return arrivedMs - sourceMs;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String predictions;
    private final List<Seen> seen = new ArrayList<>();
    private final AtomicLong outputs = new AtomicLong();
    private final AtomicLong others = new AtomicLong();
    private final List<String> otherReasons = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong maxSourceMs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LongConsumer onOutputs;
    private final Thread thread;
    private volatile Exception failure;

    /**
     * @param topics    the prediction topic first, then other output topics that only count (dead letters)
     * @param onOutputs called after every poll with the number of output records it brought (the producer's
     *                  back-pressure), may be null
     */
    public OutputProbe(String bootstrap, boolean committed, List<String> topics, LongConsumer onOutputs) {
        Properties p = KafkaEnds.readCommittedConsumer(bootstrap, "tandem-w4-probe-" + System.nanoTime());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        this.consumer = new KafkaConsumer<>(p);
        this.predictions = topics.get(0);
        this.onOutputs = onOutputs;
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            for (PartitionInfo info : consumer.partitionsFor(t, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(t, info.partition()));
            }
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        this.thread = new Thread(this::loop, "tandem-w4-probe-" + (committed ? "committed" : "uncommitted"));
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running.get()) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                long n = 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    n++;
                    if (r.topic().equals(predictions)) {
                        JsonNode j = Json.mapper().readTree(r.value());
                        boolean labelled = j.hasNonNull("label");
                        Seen s = new Seen(now, r.timestamp(), labelled, j.path("model_version").asLong(),
                                j.path("machine").asText(null),
                                labelled && j.path("label").asText().equals(j.path("decision").asText()),
                                j.path("base_frozen").asBoolean(false));
                        synchronized (seen) {
                            seen.add(s);
                        }
                        maxSourceMs.accumulateAndGet(r.timestamp(), Math::max);
                    } else if (others.incrementAndGet() <= 5) {
                        otherReasons.add(r.topic() + ": " + Json.mapper().readTree(r.value()).path("reason").asText());
                    }
                }
                if (n > 0) {
                    outputs.addAndGet(n);
                    if (onOutputs != null) {
                        onOutputs.accept(n);
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

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("output probe failed: " + failure.getMessage(), failure);
        }
    }

    /** Output records seen so far (predictions and the other topics). */
    public long outputs() {
        check();
        return outputs.get();
    }

    /** The latest source timestamp among the predictions seen (Long.MIN_VALUE before the first). */
    public long maxSourceMs() {
        check();
        return maxSourceMs.get();
    }

    /** Records of the other topics (dead letters) seen so far. */
    public long others() {
        check();
        return others.get();
    }

    /** The reasons of the first few records of the other topics (dead letters). */
    public List<String> otherReasons() {
        return List.copyOf(otherReasons);
    }

    /** A copy of the predictions seen so far. */
    public List<Seen> seen() {
        check();
        synchronized (seen) {
            return new ArrayList<>(seen);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(5000);
    }
}
