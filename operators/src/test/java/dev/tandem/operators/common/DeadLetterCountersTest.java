package dev.tandem.operators.common;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Dead-letter reasons become a bounded set of counters named by the reason's leading words. */
class DeadLetterCountersTest {
    @Test
    void reasonsKeepTheirLeadingWordsOnly() {
        assertEquals("unknown_fleet", DeadLetterCounters.kind("unknown fleet 'elsewhere'"));
        assertEquals("late", DeadLetterCounters.kind("late: reading of step 3 (1h, time 5) arrived after"));
        assertEquals("future", DeadLetterCounters.kind("future: time 17 is 5 ms ahead"));
        assertEquals("channel", DeadLetterCounters.kind("channel 2 has 12 samples"));
        assertEquals("missing_or_non-positive", DeadLetterCounters.kind("missing or non-positive time 0"));
        assertEquals("other", DeadLetterCounters.kind("'quoted' first"));
        assertEquals("other", DeadLetterCounters.kind(null));
    }

    @Test
    void countsPerKindAndFoldsKindsPastTheBoundIntoOther() {
        Map<String, Counter> counters = new HashMap<>();
        MetricGroup root = new UnregisteredMetricsGroup() {
            @Override
            public MetricGroup addGroup(String name) {
                return this;
            }

            @Override
            public Counter counter(String name) {
                return counter(name, new SimpleCounter());
            }

            @Override
            public <C extends Counter> C counter(String name, C counter) {
                counters.put(name, counter);
                return counter;
            }
        };
        DeadLetterCounters c = new DeadLetterCounters(root);
        c.count("unknown fleet 'a'");
        c.count("unknown fleet 'b'");
        for (int i = 0; i < DeadLetterCounters.MAX_KINDS + 5; i++) {
            c.count("kind" + (char) ('a' + i % 26) + (char) ('a' + i / 26) + " x");
        }
        assertEquals(2, counters.get("unknown_fleet").getCount());
        assertEquals(DeadLetterCounters.MAX_KINDS + 1, counters.size(), counters.keySet().toString());
        assertEquals(6, counters.get("other").getCount(), "the kinds past the bound");
    }
}
