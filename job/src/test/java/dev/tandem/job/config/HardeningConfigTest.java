package dev.tandem.job.config;

import dev.tandem.operators.common.RecordLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hardening keys (docs/HARDENING.md): their defaults, the automatic future bound, and start-up refusals. */
class HardeningConfigTest {
    private static String failure(String... sets) {
        return assertThrows(IllegalArgumentException.class, () -> TandemConfig.defaults(sets)).getMessage();
    }

    @Test
    void defaultsAreTheDocumentedLimitsAndTheFutureBoundFollowsTheStep() {
        TandemConfig c = TandemConfig.defaults();
        assertEquals(RecordLimits.DEFAULTS, c.recordLimits());
        assertEquals(2 * 86_400_000L + 5000, c.maxAheadMs(true), "two daily steps + the out-of-orderness");
        assertEquals(86_400_000L + 5000, c.maxAheadMs(false));
        assertEquals(2 * 3_600_000L, c.with("rainfall.step=1h", "job.watermark-out-of-orderness-ms=0").maxAheadMs(true));
        assertEquals(62 * 86_400_000L + 5000, c.with("rainfall.step=monthly").maxAheadMs(true), "a month counts 31 days");
        assertEquals(60_000L, c.with("job.max-ahead-ms=60000").maxAheadMs(true));
        assertEquals(86_400_000L + 5000, c.maxBehindMs(false), "gearbox: one day + the out-of-orderness behind");
        assertEquals(0, c.maxBehindMs(true), "rainfall: no bound behind (the rasterizer refuses late readings)");
        assertEquals(0, c.with("job.max-behind-ms=-1").maxBehindMs(false));
        assertEquals(60_000L, c.with("job.max-behind-ms=60000").maxBehindMs(true));
        assertEquals(java.time.Duration.ofHours(24), c.alertStateTtl());
        assertEquals(java.time.Duration.ofMinutes(5), c.with("state.idle-ttl-minutes=5").alertStateTtl(), "the shorter TTL");
    }

    @Test
    void invalidValuesFailAtStartUpNamingTheKey() {
        String ahead = failure("job.max-ahead-ms=5000");
        assertTrue(ahead.contains("job.max-ahead-ms") && ahead.contains("job.watermark-out-of-orderness-ms"), ahead);
        String bytes = failure("records.max-bytes=0");
        assertTrue(bytes.contains("records.max-bytes") && bytes.contains("[1, 67108864]"), bytes);
        String region = failure("rainfall.region=south east");
        assertTrue(region.contains("rainfall.region") && region.contains("ASCII letters"), region);
        String fleets = failure("gearbox.fleets=a,b/c");
        assertTrue(fleets.contains("gearbox.fleets"), fleets);
    }

    @Test
    void aHugeConfigurationFileIsRefused(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("big.properties");
        Files.writeString(f, "# " + "x".repeat((int) TandemConfig.MAX_FILE_BYTES) + "\n");
        String m = assertThrows(IOException.class, () -> TandemConfig.load(f, List.of())).getMessage();
        assertTrue(m.contains("allowed: at most " + TandemConfig.MAX_FILE_BYTES), m);
    }
}
