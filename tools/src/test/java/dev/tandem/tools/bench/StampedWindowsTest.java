package dev.tandem.tools.bench;

import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.WindowFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class StampedWindowsTest {

    /** A stamped window decodes to the pool's window with the new time, in both formats, for any channel values. */
    @ParameterizedTest
    @EnumSource(WindowFormat.class)
    void everySendCarriesItsOwnTimeAndTheSameSamples(WindowFormat format) throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        float[][] ch = new float[2][512];
        for (float[] c : ch) {
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) rng.nextGaussian();
            }
        }
        VibrationWindow w = new VibrationWindow(1_600_000_000_123L, "m-1", "demo", 12_000, ch, "broken");
        long marker = 1_764_000_000_000L;
        StampedWindows pool = new StampedWindows(List.of(w), format, marker);
        for (long t : new long[] {marker + 1, marker + 987_654_321L, 1_999_999_999_999L}) {
            VibrationWindow back = format.decode(pool.encode(0, t));
            assertEquals(t, back.time);
            assertEquals("m-1", back.machine);
            assertEquals("broken", back.label);
            assertArrayEquals(ch[1], back.channels[1]);
        }
        // a time of another width (year 2286 and later) is encoded afresh, not patched
        assertEquals(10_000_000_000_000L, format.decode(pool.encode(0, 10_000_000_000_000L)).time);
        assertEquals(1_600_000_000_123L, w.time, "the pool's window is left as it was");
    }

    @org.junit.jupiter.api.Test
    void aPatternFoundTwiceIsNotPatched() {
        byte[] data = {1, 2, 3, 1, 2, 3};
        assertEquals(-1, StampedWindows.indexOnce(data, new byte[] {1, 2, 3}));
        assertEquals(1, StampedWindows.indexOnce(data, new byte[] {2, 3, 1}));
    }
}
