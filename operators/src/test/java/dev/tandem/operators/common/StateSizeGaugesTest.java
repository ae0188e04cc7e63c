package dev.tandem.operators.common;

import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StateSizeGaugesTest {
    /** Keeps what is registered, by dotted name. */
    static final class Recording extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics;
        final String prefix;

        Recording(Map<String, Metric> metrics, String prefix) {
            this.metrics = metrics;
            this.prefix = prefix;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            metrics.put(prefix + name, gauge);
            return gauge;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Recording(metrics, prefix + key + "." + value + ".");
        }
    }

    @Test
    void measuresWhatTheSerializerWritesPerKeyAndInTotal() throws Exception {
        String a = "x".repeat(1000);
        DataOutputSerializer out = new DataOutputSerializer(16);
        StringSerializer.INSTANCE.serialize(a, out);
        assertEquals(out.length(), StateSizeGauges.size(StringSerializer.INSTANCE, a));

        Map<String, Metric> m = new HashMap<>();
        StateSizeGauges<String> g = new StateSizeGauges<>(new Recording(m, ""), "region", StringSerializer.INSTANCE, 60_000);
        g.observe("north", a);
        g.observe("south", "y".repeat(10));
        g.observe("north", "z"); // within the interval: not measured again
        assertEquals(out.length(), g.bytes("north"));
        assertEquals((long) out.length() + g.bytes("south"), ((Gauge<?>) m.get("stateBytes")).getValue());
        assertEquals((long) out.length(), ((Gauge<?>) m.get("stateBytesMax")).getValue());
        assertEquals((long) out.length(), ((Gauge<?>) m.get("region.north.stateBytes")).getValue());
        assertEquals(-1, g.bytes("west"));
    }
}
