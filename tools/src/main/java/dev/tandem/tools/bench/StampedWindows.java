package dev.tandem.tools.bench;

import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.WindowFormat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * W4's pool of pre-encoded windows, each sent with its event time set to the moment of sending. The jobs run on
 * event time (a prediction carries its window's time as its record timestamp), so latency is measured from the
 * window's time, and a pool replayed round robin must not carry the times it was generated with. Encoding 4×2048
 * floats per send would cost the replay more than the job spends on the window; instead each window is encoded
 * once with a marker time, the marker's bytes located (13 ASCII digits in JSON, 8 little-endian bytes in binary),
 * and every send copies the encoding and writes the current time there. A window whose encoding does not hold the
 * marker exactly once is encoded afresh at each send.
 */
final class StampedWindows {
    private final List<VibrationWindow> pool;
    private final WindowFormat format;
    private final byte[][] encoded;
    private final int[] timeAt;
    private final boolean[] ascii;
    private final int markerDigits;

    StampedWindows(List<VibrationWindow> pool, WindowFormat format, long markerTime) {
        this.pool = pool;
        this.format = format;
        encoded = new byte[pool.size()][];
        timeAt = new int[pool.size()];
        ascii = new boolean[pool.size()];
        markerDigits = Long.toString(markerTime).length();
        for (int i = 0; i < encoded.length; i++) {
            VibrationWindow w = pool.get(i);
            long original = w.time;
            w.time = markerTime;
            encoded[i] = format.encode(w);
            w.time = original;
            int text = indexOnce(encoded[i], Long.toString(markerTime).getBytes(StandardCharsets.US_ASCII));
            int binary = indexOnce(encoded[i], littleEndian(markerTime));
            ascii[i] = text >= 0;
            timeAt[i] = text >= 0 ? text : binary;
        }
    }

    int size() {
        return encoded.length;
    }

    VibrationWindow window(int i) {
        return pool.get(i);
    }

    /** Window i encoded with event time {@code time} (a new array: the producer keeps it until sent). */
    byte[] encode(int i, long time) {
        int at = timeAt[i];
        byte[] digits = ascii[i] ? Long.toString(time).getBytes(StandardCharsets.US_ASCII) : null;
        if (at < 0 || digits != null && digits.length != markerDigits) {
            VibrationWindow w = pool.get(i);
            long original = w.time;
            w.time = time;
            byte[] fresh = format.encode(w);
            w.time = original;
            return fresh;
        }
        byte[] out = Arrays.copyOf(encoded[i], encoded[i].length);
        System.arraycopy(digits != null ? digits : littleEndian(time), 0, out, at, digits != null ? digits.length : 8);
        return out;
    }

    static byte[] littleEndian(long v) {
        byte[] b = new byte[8];
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (v >>> (8 * k));
        }
        return b;
    }

    /** The index of the only occurrence of {@code pattern} in {@code data}, or -1 (none or several). */
    static int indexOnce(byte[] data, byte[] pattern) {
        int found = -1;
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (data[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            if (found >= 0) {
                return -1;
            }
            found = i;
        }
        return found;
    }
}
