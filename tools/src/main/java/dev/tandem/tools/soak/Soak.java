package dev.tandem.tools.soak;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.tools.demo.GearboxDemo;
import dev.tandem.tools.demo.RainfallDemo;
import dev.tandem.tools.demo.SimulatedFleet;
import dev.tandem.tools.flink.JobWatch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The soak of {@code tandem soak} and of its CI variant: the demo's two jobs on SYNTHETIC data (embedded broker in
 * its own JVM, Flink mini cluster in this one) at a fixed rate, every n-th window sent again from a machine never
 * seen before, sampled by a {@link SoakSampler} for the whole run.
 */
public final class Soak {
    private Soak() {
    }

    /** Runs for duration and returns the samples (also written to csv as they are taken). */
    public static List<long[]> run(TandemConfig config, Duration duration, Path csv, Duration every, double rate,
                                   double weatherRate, int newMachineEvery, long retentionMib, boolean brokerHeap,
                                   PrintStream err)
            throws Exception {
        long t0 = System.nanoTime();
        SimulatedFleet feed = new SimulatedFleet(4, config.integer("replay.window"), 15_000, 35_000, config.longValue("gearbox.seed"));
        try (GearboxDemo demo = new GearboxDemo(config, feed, rate, err)) {
            demo.withRainfall(RainfallDemo.synthetic(config.longValue("rainfall.seed"), weatherRate, err))
                    .withNewMachineEvery(newMachineEvery)
                    .withRetentionMib(retentionMib);
            demo.start();
            err.printf(java.util.Locale.ROOT, "soak: started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            JobWatch watch = demo.watch();
            try (SoakSampler sampler = new SoakSampler(csv, every, demo::kafkaPid, watch::latestCheckpointBytes,
                    watch::restarts, demo::counts).withBrokerHeap(brokerHeap).start()) {
                long end = System.nanoTime() + duration.toNanos();
                long nextLine = 0;
                while (System.nanoTime() < end) {
                    if (System.nanoTime() >= nextLine) {
                        err.println("soak: " + demo.summaryLine());
                        nextLine = System.nanoTime() + 60_000_000_000L;
                    }
                    Thread.sleep(500);
                }
                sampler.sample();
                return sampler.rows();
            }
        } finally {
            err.printf(java.util.Locale.ROOT, "soak: stopped after %.1f s in all%n", (System.nanoTime() - t0) / 1e9);
        }
    }
}
