package dev.tandem.operators.common;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.metrics.MetricGroup;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checkpointed size of a keyed model state, per key and per subtask, as metrics: {@code stateBytes} (all keys
 * of this subtask), {@code stateBytesMax} (the largest key) and {@code <keyName>.<key>.stateBytes}. A state is
 * measured by writing it with its own serializer into a counting sink — exactly what a full checkpoint of it
 * writes — at most once per {@code interval} per key, since a rainfall region's replay is tens of MB.
 */
public final class StateSizeGauges<T> {
    private final MetricGroup group;
    private final String keyName;
    private final TypeSerializer<T> serializer;
    private final long intervalNanos;
    private final Map<String, Long> bytes = new ConcurrentHashMap<>();
    private final Map<String, Long> measuredAt = new ConcurrentHashMap<>();

    public StateSizeGauges(MetricGroup group, String keyName, TypeSerializer<T> serializer, long intervalMillis) {
        this.group = group;
        this.keyName = keyName;
        this.serializer = serializer.duplicate();
        this.intervalNanos = intervalMillis * 1_000_000L;
        group.gauge("stateBytes", () -> bytes.values().stream().mapToLong(Long::longValue).sum());
        group.gauge("stateBytesMax", () -> bytes.values().stream().mapToLong(Long::longValue).max().orElse(0));
    }

    /** Measures key's state when it was last measured more than the interval ago (or never); call after update. */
    public void observe(String key, T state) {
        long now = System.nanoTime();
        Long at = measuredAt.get(key);
        if (at != null && now - at < intervalNanos) {
            return;
        }
        measuredAt.put(key, now);
        if (bytes.put(key, size(serializer, state)) == null) {
            group.addGroup(keyName, key).gauge("stateBytes", () -> bytes.getOrDefault(key, 0L));
        }
    }

    /** The last measured size of key's state, or -1. */
    public long bytes(String key) {
        return bytes.getOrDefault(key, -1L);
    }

    /** Bytes serializer writes for value. */
    public static <T> long size(TypeSerializer<T> serializer, T value) {
        Counting out = new Counting();
        try {
            serializer.serialize(value, new DataOutputViewStreamWrapper(out));
        } catch (IOException e) {
            return -1;
        }
        return out.count;
    }

    private static final class Counting extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
