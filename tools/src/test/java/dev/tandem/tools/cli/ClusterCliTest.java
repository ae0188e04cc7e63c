package dev.tandem.tools.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tandem cluster}: wrong arguments fail at once, naming what is wrong, before any process starts. */
class ClusterCliTest {
    @Test
    void anUnknownJobIsRefusedNamingTheAllowedOnes() {
        TandemCliTest.Run r = TandemCliTest.run("cluster", "weather");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("unknown job 'weather'; allowed: gearbox, rainfall"), r.err());
    }

    @Test
    void noTaskManagersIsRefused() {
        TandemCliTest.Run r = TandemCliTest.run("cluster", "--taskmanagers", "0");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("--taskmanagers and --slots must be >= 1"), r.err());
    }

    @Test
    void anUnknownConfigurationKeyIsRefusedBeforeAnythingStarts() {
        TandemCliTest.Run r = TandemCliTest.run("cluster", "--set", "job.no-such-key=1");
        assertTrue(r.code() != 0, r.out());
        assertTrue(r.err().contains("job.no-such-key"), r.err());
    }

    @Test
    void theHelpSaysWhatStarts() {
        TandemCliTest.Run r = TandemCliTest.run("cluster", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--taskmanagers") && r.out().contains("TaskManagers"), r.out());
    }
}
