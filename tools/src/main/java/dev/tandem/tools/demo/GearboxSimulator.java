package dev.tandem.tools.demo;

import dev.tandem.operators.gearbox.VibrationWindow;

import java.util.SplittableRandom;

/**
 * A SYNTHETIC gearbox vibration generator for the demo and tests — not recorded data. Per machine and window:
 * <ul>
 *   <li>shaft speed f_r = 25 Hz · (0.9 + 0.2 · load); gear mesh at f_m = 23 · f_r (a 23-tooth pinion) with
 *       harmonics 1–3 of amplitude load · (1.0, 0.5, 0.25) and first-order sidebands at f_m ± f_r;</li>
 *   <li>load in [0.3, 1.0], slowly varying per machine (a sine of period 60 s), so amplitudes are load-dependent;</li>
 *   <li>a broken tooth: once per revolution an impulse that rings a structural resonance (1.8 kHz, decay 4 ms,
 *       amplitude 4 · load), plus a once-per-revolution amplitude modulation of the mesh tone;</li>
 *   <li>white Gaussian noise (σ = 0.3) and a per-channel gain (sensor mounting) and phase.</li>
 * </ul>
 * Sample rate 5,120 Hz by default. Everything is seeded: the same (seed, machine, time) gives the same window.
 */
public final class GearboxSimulator {
    public static final double DEFAULT_RATE = 5120.0;
    private static final int TEETH = 23;
    private static final double RESONANCE_HZ = 1800.0;
    private static final double DECAY_S = 0.004;
    private final String fleet;
    private final int channels;
    private final int length;
    private final double rate;
    private final long seed;

    public GearboxSimulator(String fleet, int channels, int length, double rate, long seed) {
        this.fleet = fleet;
        this.channels = channels;
        this.length = length;
        this.rate = rate;
        this.seed = seed;
    }

    public static double load(String machine, long timeMs) {
        double phase = (machine.hashCode() & 0xFFFF) / 65536.0 * 2 * Math.PI;
        return 0.65 + 0.35 * Math.sin(2 * Math.PI * timeMs / 60_000.0 + phase);
    }

    /** One window of the machine starting at timeMs; broken selects the fault; label is attached as given (or null). */
    public VibrationWindow window(String machine, long timeMs, boolean broken, String label) {
        SplittableRandom rng = new SplittableRandom(seed ^ (machine.hashCode() * 0x9E3779B97F4A7C15L) ^ timeMs * 0xBF58476D1CE4E5B9L);
        double load = load(machine, timeMs);
        double fr = 25.0 * (0.9 + 0.2 * load);
        double fm = TEETH * fr;
        double revolution = rate / fr;
        double toothPhase = rng.nextDouble() * revolution;
        double phase0 = rng.nextDouble() * 2 * Math.PI;
        float[][] ch = new float[channels][length];
        for (int c = 0; c < channels; c++) {
            double gain = 0.8 + 0.4 * ((c * 7 + 3) % 5) / 4.0;
            double phase = phase0 + c * 0.7;
            for (int i = 0; i < length; i++) {
                double t = i / rate;
                double mod = broken ? 1 + 0.3 * Math.cos(2 * Math.PI * fr * t + phase) : 1;
                double v = 0;
                v += load * 1.00 * mod * Math.sin(2 * Math.PI * fm * t + phase);
                v += load * 0.50 * mod * Math.sin(2 * Math.PI * 2 * fm * t + 2 * phase);
                v += load * 0.25 * mod * Math.sin(2 * Math.PI * 3 * fm * t + 3 * phase);
                v += load * 0.10 * (Math.sin(2 * Math.PI * (fm - fr) * t) + Math.sin(2 * Math.PI * (fm + fr) * t));
                if (broken) {
                    double since = ((i + toothPhase) % revolution) / rate;
                    v += 4.0 * load * Math.exp(-since / DECAY_S) * Math.sin(2 * Math.PI * RESONANCE_HZ * since);
                }
                v = gain * v + 0.3 * rng.nextGaussian();
                ch[c][i] = (float) v;
            }
        }
        return new VibrationWindow(timeMs, machine, fleet, rate, ch, label);
    }

    public int channels() {
        return channels;
    }

    public int length() {
        return length;
    }

    public String fleet() {
        return fleet;
    }
}
