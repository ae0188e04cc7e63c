package dev.tandem.operators.common;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;

import java.time.Duration;

/**
 * Expiry of a key's state once the key has been idle (no write) for a while ({@code state.idle-ttl-minutes},
 * {@code alert.state-ttl-hours}): Flink state TTL in processing time, expired values never returned, cleaned up
 * incrementally on every record on the heap backend (so a stream of ever-new keys meets a bounded number of live
 * ones) and by RocksDB's compaction filter, and left out of full snapshots.
 */
public final class IdleStateTtl {
    /** Entries the heap backend checks for expiry per state access and per record. */
    static final int CLEANUP_ENTRIES = 10;

    private IdleStateTtl() {
    }

    /** d with a TTL of ttl; unchanged when ttl is null or zero (kept for ever). */
    public static <D extends StateDescriptor<?, ?>> D apply(D d, Duration ttl) {
        if (ttl != null && !ttl.isZero() && !ttl.isNegative()) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .cleanupFullSnapshot()
                    .cleanupIncrementally(CLEANUP_ENTRIES, true)
                    .build());
        }
        return d;
    }

    /** The shorter of two TTLs, where zero (or null) means none. */
    public static Duration shorter(Duration a, Duration b) {
        if (a == null || a.isZero()) {
            return b;
        }
        if (b == null || b.isZero()) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
