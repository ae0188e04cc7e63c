package dev.tandem.operators.common;

import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.gearbox.AlertFunction;
import dev.tandem.operators.gearbox.AlertSettings;
import dev.tandem.operators.gearbox.Prediction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keyed state under a stream of ever-new keys (machines never seen again, as a fleet that keeps growing or a sender
 * inventing names) stays bounded with an idle TTL ({@link IdleStateTtl}, {@code state.idle-ttl-minutes}): the keys
 * alive are those written within the TTL, and an idle key's state is gone; without a TTL every key stays.
 */
class IdleStateTtlTest {
    private static final AlertSettings SETTINGS = new AlertSettings(3, 0.8, 2, "healthy");
    private static final int KEYS = 5000;
    private static final long EVERY_MS = 100; // ten new machines a second
    private static final Duration TTL = Duration.ofMinutes(1);

    private static Prediction prediction(String machine, long time) {
        Prediction p = new Prediction();
        p.time = time;
        p.machine = machine;
        p.fleet = "demo";
        p.classes = new String[] {"healthy", "broken"};
        p.decision = "broken";
        p.confidence = 0.9f;
        p.probabilities = new float[] {0.1f, 0.9f};
        return p;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Prediction, Alert> harness(Duration ttl) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Prediction, Alert> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertFunction(SETTINGS, ttl)), p -> p.machine, Types.STRING);
        h.open();
        return h;
    }

    @Test
    void everNewMachinesMeetABoundedNumberOfLiveKeys() throws Exception {
        long alive = TTL.toMillis() / EVERY_MS; // keys written within the TTL
        int most = 0;
        try (var h = harness(TTL)) {
            for (int i = 0; i < KEYS; i++) {
                long now = i * EVERY_MS;
                h.setStateTtlProcessingTime(now);
                h.processElement(new StreamRecord<>(prediction("new-" + i, now), now));
                if (i >= 2 * alive) {
                    most = Math.max(most, h.numKeyedStateEntries());
                }
            }
            // incremental clean-up (10 entries a record) keeps up with one new key a record, up to its lag
            assertTrue(most <= alive + 2 * IdleStateTtl.CLEANUP_ENTRIES + 1, "at most " + most + " keys for " + alive
                    + " written within the TTL, after " + KEYS + " machines");
            assertTrue(most >= alive, "the keys written within the TTL are kept: " + most);
            // an idle machine's run is forgotten: two faulty windows before the idle time and one after raise nothing
            long t = KEYS * EVERY_MS;
            h.setStateTtlProcessingTime(t);
            h.processElement(new StreamRecord<>(prediction("old", t), t));
            h.processElement(new StreamRecord<>(prediction("old", t + 1), t + 1));
            h.setStateTtlProcessingTime(t + TTL.toMillis() + 1);
            h.processElement(new StreamRecord<>(prediction("old", t + 2), t + 2));
            assertEquals(0, h.extractOutputValues().size(), "the run of 'old' started again after its idle time");
            h.processElement(new StreamRecord<>(prediction("old", t + 3), t + 3));
            h.processElement(new StreamRecord<>(prediction("old", t + 4), t + 4));
            assertEquals(1, h.extractOutputValues().size(), "three faulty windows within the TTL raise the alert");
        }
    }

    @Test
    void withoutATtlEveryKeyStays() throws Exception {
        try (var h = harness(Duration.ZERO)) {
            for (int i = 0; i < KEYS; i++) {
                long now = i * EVERY_MS;
                h.setStateTtlProcessingTime(now);
                h.processElement(new StreamRecord<>(prediction("new-" + i, now), now));
            }
            assertEquals(KEYS, h.numKeyedStateEntries());
        }
    }

    @Test
    void theShorterTtlWinsAndZeroMeansNone() {
        assertEquals(Duration.ofMinutes(2), IdleStateTtl.shorter(Duration.ofHours(24), Duration.ofMinutes(2)));
        assertEquals(Duration.ofHours(24), IdleStateTtl.shorter(Duration.ofHours(24), Duration.ZERO));
        assertEquals(Duration.ofMinutes(2), IdleStateTtl.shorter(Duration.ZERO, Duration.ofMinutes(2)));
    }
}
