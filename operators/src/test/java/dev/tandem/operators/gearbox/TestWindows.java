package dev.tandem.operators.gearbox;


import java.util.SplittableRandom;

/** Small synthetic windows for tests: "healthy" is a noisy sine; "broken" adds a once-per-revolution impulse train. */
public final class TestWindows {
    public static final double RATE = 1024.0;

    private TestWindows() {
    }

    public static VibrationWindow window(long time, String machine, String fleet, String kind, String label, int channels,
            int length, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] ch = new float[channels][length];
        double phase = rng.nextDouble() * 2 * Math.PI;
        int period = 64;
        int offset = rng.nextInt(period);
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < length; i++) {
                double v = Math.sin(2 * Math.PI * 40 * i / RATE + phase + c) + 0.2 * rng.nextGaussian();
                if ("broken".equals(kind) && (i + offset) % period < 3) {
                    v += 4.0 * Math.exp(-((i + offset) % period));
                }
                ch[c][i] = (float) v;
            }
        }
        return new VibrationWindow(time, machine, fleet, RATE, ch, label);
    }
}
