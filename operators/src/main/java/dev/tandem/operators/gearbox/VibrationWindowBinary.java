package dev.tandem.operators.gearbox;

import dev.tandem.operators.common.RecordLimits;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The compact binary encoding of a {@link VibrationWindow} (about 4·C·N bytes: a 4×2048 window is 32.8 KB instead
 * of ~80 KB of JSON). All numbers little-endian (numpy {@code '<'}):
 * <pre>
 * offset size  field
 * 0      2     magic "TV" (0x54 0x56)
 * 2      1     version (1)
 * 3      1     flags: bit 0 = label present, bit 1 = shaft speed present
 * 4      8     int64 time, epoch milliseconds
 * 12     8     float64 sample_rate_hz
 * 20     2     uint16 C, channel count
 * 22     4     int32 N, samples per channel
 * 26     …     string machine, string fleet, [string label]   (string = uint16 byte length + UTF-8 bytes)
 * …      [8]   [float64 rpm, the shaft speed]
 * …      4·C·N float32 samples, channel-major: channel 0's N samples, then channel 1's, …
 * </pre>
 * Nothing may follow the samples. Anything malformed is refused with an {@link IOException} naming the problem.
 */
public final class VibrationWindowBinary {
    public static final byte[] MAGIC = {0x54, 0x56};
    public static final int VERSION = 1;
    private static final int HEADER = 26;

    private VibrationWindowBinary() {
    }

    public static byte[] encode(VibrationWindow w) {
        byte[] machine = utf8(w.machine);
        byte[] fleet = utf8(w.fleet);
        byte[] label = w.label == null ? null : utf8(w.label);
        int c = w.channelCount();
        int n = w.length();
        for (float[] ch : w.channels) {
            if (ch.length != n) {
                throw new IllegalArgumentException("channels of different lengths cannot be encoded");
            }
        }
        boolean speed = w.rpm != null;
        int size = HEADER + 2 + machine.length + 2 + fleet.length + (label == null ? 0 : 2 + label.length)
                + (speed ? 8 : 0) + 4 * c * n;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) VERSION).put((byte) ((label == null ? 0 : 1) | (speed ? 2 : 0)));
        b.putLong(w.time).putDouble(w.sampleRateHz).putShort((short) c).putInt(n);
        putString(b, machine);
        putString(b, fleet);
        if (label != null) {
            putString(b, label);
        }
        if (speed) {
            b.putDouble(w.rpm);
        }
        for (float[] ch : w.channels) {
            b.asFloatBuffer().put(ch);
            b.position(b.position() + 4 * n);
        }
        return b.array();
    }

    public static VibrationWindow decode(byte[] bytes) throws IOException {
        return decode(bytes, 0xFFFF, Integer.MAX_VALUE);
    }

    /**
     * Decodes a window of at most {@code maxChannels} channels of at most {@code maxLength} samples: larger
     * declared shapes are refused from the header, before anything is allocated.
     */
    public static VibrationWindow decode(byte[] bytes, int maxChannels, int maxLength) throws IOException {
        if (bytes == null || bytes.length < HEADER) {
            throw new IOException("binary window too short (" + (bytes == null ? 0 : bytes.length) + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.get() != MAGIC[0] || b.get() != MAGIC[1]) {
            throw new IOException("not a binary vibration window (magic 'TV' missing)");
        }
        int version = b.get();
        if (version != VERSION) {
            throw new IOException("binary window version " + version + " unsupported; this build reads " + VERSION);
        }
        int flags = b.get();
        try {
            VibrationWindow w = new VibrationWindow();
            w.time = b.getLong();
            w.sampleRateHz = b.getDouble();
            int c = Short.toUnsignedInt(b.getShort());
            int n = b.getInt();
            if (n < 0) {
                throw new IOException("negative window length " + n);
            }
            if (c > maxChannels) {
                throw new RecordLimits.LimitException("limit: binary window declares " + c
                        + " channels; allowed: at most " + maxChannels + " (gearbox.channels.max)");
            }
            if (n > maxLength) {
                throw new RecordLimits.LimitException("limit: binary window declares " + n
                        + " samples per channel; allowed: at most " + maxLength + " (gearbox.window.max)");
            }
            w.machine = getString(b);
            w.fleet = getString(b);
            w.label = (flags & 1) != 0 ? getString(b) : null;
            if ((flags & 2) != 0) {
                w.rpm = b.getDouble();
            }
            if ((flags & ~3) != 0) {
                throw new IOException("binary window flags 0x" + Integer.toHexString(flags & 0xFF)
                        + " carry unknown bits; this build knows bit 0 (label) and bit 1 (rpm)");
            }
            long need = 4L * c * n;
            if (b.remaining() != need) {
                throw new IOException("binary window declares " + c + "x" + n + " samples (" + need + " bytes) but carries "
                        + b.remaining() + " bytes");
            }
            w.channels = new float[c][n];
            for (int i = 0; i < c; i++) {
                b.asFloatBuffer().get(w.channels[i]);
                b.position(b.position() + 4 * n);
            }
            return w;
        } catch (BufferUnderflowException e) {
            throw new IOException("binary window truncated");
        }
    }

    private static byte[] utf8(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        return b;
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putShort((short) s.length).put(s);
    }

    private static String getString(ByteBuffer b) throws IOException {
        int len = Short.toUnsignedInt(b.getShort());
        if (len > b.remaining()) {
            throw new IOException("string of " + len + " bytes runs past the end");
        }
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
