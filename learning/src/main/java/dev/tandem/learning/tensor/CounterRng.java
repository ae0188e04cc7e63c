package dev.tandem.learning.tensor;

/**
 * A counter-based random generator: the value for index i is a pure function of (seed, i) — SplitMix64's
 * finaliser — so any backend (or GPU thread) can reproduce element i without sequential state.
 */
public final class CounterRng {
    private CounterRng() {
    }

    public static long mix(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 bits. */
    public static double uniform(long seed, long index) {
        return (mix(seed, index) >>> 11) * 0x1.0p-53;
    }
}
