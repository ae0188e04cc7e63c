package dev.tandem.tools.flink;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.demo.GearboxDemo;
import dev.tandem.tools.demo.RainfallDemo;
import dev.tandem.tools.demo.SimulatedFleet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every socket a running demo (the gearbox and rainfall jobs on the local mini cluster, the embedded broker in its
 * own JVM) listens on is a loopback one by default: listed from /proc for this JVM (what it opened since the test
 * began) and for the broker's process.
 */
@EnabledOnOs(OS.LINUX)
class DemoListenersTest {
    @Test
    void aRunningDemoListensOnLoopbackOnly() throws Exception {
        long self = ProcessHandle.current().pid();
        Set<Long> before = ListeningSockets.of(self).stream().map(ListeningSockets.Listener::inode).collect(Collectors.toSet());
        TandemConfig config = TandemConfig.load(TandemConfig.bundled("demo.properties"), List.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8);
        GearboxDemo demo = new GearboxDemo(config, new SimulatedFleet(2, config.integer("replay.window"), 15_000, 35_000, 1),
                4, err).withRainfall(RainfallDemo.synthetic(1, 12, err));
        try {
            demo.start();
            long end = System.nanoTime() + 90_000_000_000L;
            while (!log.toString(StandardCharsets.UTF_8).contains("REST http") && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            Thread.sleep(3000); // tasks deployed: the data exchange and the sinks' connections are up
            List<ListeningSockets.Listener> mine = new ArrayList<>(ListeningSockets.of(self));
            mine.removeIf(l -> before.contains(l.inode()));
            List<ListeningSockets.Listener> broker = ListeningSockets.of(demo.kafkaPid());
            System.err.println("demo listeners: this JVM " + mine + ", broker " + broker);
            assertFalse(mine.isEmpty(), "the mini cluster listens (REST at least)");
            assertEquals(2, broker.size(), "the broker's client and controller listeners: " + broker);
            List<ListeningSockets.Listener> all = new ArrayList<>(mine);
            all.addAll(broker);
            for (ListeningSockets.Listener l : all) {
                assertTrue(l.loopback(), "listener " + l + " is not on a loopback address; all: " + all);
            }
            String rest = log.toString(StandardCharsets.UTF_8).replaceAll("(?s).*REST http://127\\.0\\.0\\.1:(\\d+).*", "$1");
            assertTrue(mine.stream().anyMatch(l -> Integer.toString(l.port()).equals(rest)),
                    "the REST port " + rest + " is among " + mine);
        } finally {
            demo.close();
        }
    }
}
