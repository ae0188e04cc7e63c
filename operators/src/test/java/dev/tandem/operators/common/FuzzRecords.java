package dev.tandem.operators.common;

import dev.tandem.models.fuzz.FuzzBounds;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The properties the record fuzz targets share (docs/FUZZING.md). */
public final class FuzzRecords {
    /**
     * The bounds the fuzz targets decode under: the defaults of {@code records.*}, except those that a fuzz input of at
     * most 16 KB (libFuzzer's {@code -max_len} of the fuzz stage) could not reach otherwise.
     */
    public static final RecordLimits LIMITS = new RecordLimits(16384, 64, 4096, 100, 8, 128, 64, 86_400_000L);
    /** Longest reason a dead letter may carry: a reason quotes a record's text, it does not hold it. */
    public static final int MAX_REASON = 600;

    private FuzzRecords() {
    }

    /**
     * Checks a dead letter of the raw record {@code raw}: it names where the record came from, gives a reason that is
     * one bounded printable line, and keeps the record's first {@code rawMaxBytes} bytes escaped (exactly what
     * {@link DeadLetter#truncate} gives, and the bytes can be read back from it).
     */
    public static void assertDeadLetter(DeadLetter d, RawRecord raw, int rawMaxBytes) {
        assertEquals(raw.topic, d.topic);
        assertEquals(raw.partition, d.partition);
        assertEquals(raw.offset, d.offset);
        FuzzBounds.assertReason(d.reason, MAX_REASON);
        assertEquals(DeadLetter.truncate(raw.value, rawMaxBytes), d.raw);
        assertRawReadsBack(raw.value, rawMaxBytes, d.raw);
    }

    /**
     * Fails unless {@code raw} is the escaped form of {@code value}'s first {@code max} bytes (followed by the cut
     * mark when cut) with no control character or line separator left as such.
     */
    public static void assertRawReadsBack(byte[] value, int max, String raw) {
        int n = value == null ? 0 : Math.min(value.length, max);
        String body = raw;
        if (value != null && n < value.length) {
            String mark = "…(" + value.length + " bytes)";
            assertTrue(raw.endsWith(mark), "a cut value ends with " + mark);
            body = raw.substring(0, raw.length() - mark.length());
        }
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            boolean allowed = c == '\t' || c == '\n' || c == '\r' || !Character.isISOControl(c) && c != '\u2028' && c != '\u2029';
            int at = i;
            assertTrue(allowed, () -> "raw holds U+" + String.format("%04X", (int) c) + " unescaped at " + at);
        }
        byte[] want = value == null ? new byte[0] : Arrays.copyOf(value, n);
        assertArrayEquals(want, unescape(body), "the raw bytes read back");
    }

    /** The bytes of an escaped raw value: UTF-8 of the text, {@code \xNN} a byte, {@code \\} a backslash. */
    public static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                assertTrue(i + 1 < s.length(), "a lone backslash at the end");
                char e = s.charAt(i + 1);
                if (e == '\\') {
                    out.write('\\');
                    i += 2;
                } else {
                    assertEquals('x', e, "escape \\" + e);
                    out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                    i += 4;
                }
                continue;
            }
            int cp = s.codePointAt(i);
            byte[] b = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }
}
