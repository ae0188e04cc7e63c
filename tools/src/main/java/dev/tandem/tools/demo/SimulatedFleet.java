package dev.tandem.tools.demo;

import dev.tandem.operators.gearbox.VibrationWindow;

import java.util.List;

/**
 * The demo's synthetic fleet "demo" of four machines ({@link GearboxSimulator}), round robin: demo-m1 and demo-m4
 * stay healthy; demo-m2 develops a broken tooth {@code faultAfterMs} into the run and keeps it; demo-m3 starts with a
 * broken tooth and is repaired after {@code repairAfterMs} — so the stream shows RAISED and CLEARED alerts. Every
 * other window of a machine carries its true label (maintenance records); the rest are unlabelled.
 */
public final class SimulatedFleet implements WindowFeed {
    public static final String FLEET = "demo";
    public static final String HEALTHY = "healthy";
    public static final String BROKEN = "broken_tooth";
    private static final String[] MACHINES = {"demo-m1", "demo-m2", "demo-m3", "demo-m4"};
    private final GearboxSimulator sim;
    private final long faultAfterMs;
    private final long repairAfterMs;
    private long start = -1;
    private long count;

    public SimulatedFleet(int channels, int length, long faultAfterMs, long repairAfterMs, long seed) {
        this.sim = new GearboxSimulator(FLEET, channels, length, GearboxSimulator.DEFAULT_RATE, seed);
        this.faultAfterMs = faultAfterMs;
        this.repairAfterMs = repairAfterMs;
    }

    @Override
    public VibrationWindow next(long timeMs) {
        if (start < 0) {
            start = timeMs;
        }
        long n = count++;
        String machine = MACHINES[(int) (n % MACHINES.length)];
        long elapsed = timeMs - start;
        boolean broken = switch (machine) {
            case "demo-m2" -> elapsed >= faultAfterMs;
            case "demo-m3" -> elapsed < repairAfterMs;
            default -> false;
        };
        boolean labelled = (n / MACHINES.length) % 2 == 0;
        return sim.window(machine, timeMs, broken, labelled ? (broken ? BROKEN : HEALTHY) : null);
    }

    @Override
    public List<String> labels() {
        return List.of(HEALTHY, BROKEN);
    }
}
