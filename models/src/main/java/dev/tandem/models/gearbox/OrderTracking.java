package dev.tandem.models.gearbox;

/**
 * Order tracking: resamples a vibration window recorded at shaft speed {@code rpm} so that it looks as if the shaft
 * had turned at {@code referenceRpm}. Every frequency tied to the shaft (gear mesh, bearing fault frequencies and their
 * harmonics) is a fixed multiple (order) of the shaft speed, so after resampling it falls on the same frequency bin
 * whatever the speed: a change of load or speed moves the spectrum the classifier sees much less.
 *
 * <p>Output sample i is the input at the shaft angle that sample i would have at the reference speed, i.e. at input
 * position {@code i · referenceRpm / rpm}, read by windowed-sinc interpolation (Lanczos, a = {@value #LOBES}). When
 * the input is compressed (the reference is faster than the recording: more than one input sample per output
 * sample) the kernel is widened by that factor, so it also low-passes the signal below the new Nyquist frequency
 * instead of aliasing it. The window keeps its length: positions past the last input sample (a recording slower than
 * the reference needs a little more signal than the window holds) are read from the window mirrored at its end,
 * which keeps the tail's level and spectrum close to the rest of a stationary signal.
 */
public final class OrderTracking {
    /** Lobes of the Lanczos kernel on each side. */
    public static final int LOBES = 3;

    private OrderTracking() {
    }

    /** Whether a speed is usable: finite and positive. */
    public static boolean known(double rpm) {
        return rpm > 0 && Double.isFinite(rpm);
    }

    /**
     * The window [C × N] (channel-major, at offset 0) resampled from {@code rpm} to {@code referenceRpm}; a new array.
     * Equal speeds return a copy.
     */
    public static float[] resample(float[] x, int channels, int length, double rpm, double referenceRpm) {
        if (!known(rpm) || !known(referenceRpm)) {
            throw new IllegalArgumentException("shaft speeds must be finite and > 0, got rpm " + rpm + " and reference "
                    + referenceRpm);
        }
        if (x.length != channels * length) {
            throw new IllegalArgumentException("window of " + x.length + " values is not " + channels + " x " + length);
        }
        if (rpm == referenceRpm) {
            return x.clone();
        }
        double step = referenceRpm / rpm; // input samples per output sample
        double widen = Math.max(1.0, step); // anti-aliasing when compressing
        double support = LOBES * widen;
        float[] out = new float[x.length];
        for (int c = 0; c < channels; c++) {
            int base = c * length;
            for (int i = 0; i < length; i++) {
                double pos = i * step;
                int lo = (int) Math.ceil(pos - support);
                int hi = (int) Math.floor(pos + support);
                double sum = 0;
                double weights = 0;
                for (int j = lo; j <= hi; j++) {
                    double w = lanczos((pos - j) / widen);
                    if (w == 0) {
                        continue;
                    }
                    sum += w * x[base + mirror(j, length)];
                    weights += w;
                }
                // Normalising by the kernel's sum keeps a constant signal constant (Lanczos sums to ~1, not exactly).
                out[base + i] = (float) (weights == 0 ? 0 : sum / weights);
            }
        }
        return out;
    }

    /** Index j reflected into [0, n): …, 2, 1, 0, 1, 2, …, n−2, n−1, n−2, … */
    static int mirror(int j, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int k = Math.floorMod(j, period);
        return k < n ? k : period - k;
    }

    private static double lanczos(double t) {
        if (t == 0) {
            return 1;
        }
        if (t <= -LOBES || t >= LOBES) {
            return 0;
        }
        double pt = Math.PI * t;
        return LOBES * Math.sin(pt) * Math.sin(pt / LOBES) / (pt * pt);
    }
}
