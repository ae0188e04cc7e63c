package dev.tandem.operators.common;

import dev.tandem.operators.gearbox.VibrationWindowJson;
import dev.tandem.operators.rain.WeatherReadingJson;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What fuzzing found in the record decoders (docs/FUZZING.md, findings 1–3 and 12), one test each. */
class FuzzFindingsTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void timeOfTwentyDigitsIsAnIOExceptionNotANumberFormatException() {
        IOException e = assertThrows(IOException.class, () -> Json.parseTime("9".repeat(40)));
        assertTrue(e.getMessage().contains("out of the range of epoch milliseconds"), e.getMessage());
    }

    @Test
    void isoTimeOfTheYear999999999IsAnIOExceptionNotAnArithmeticException() {
        assertThrows(IOException.class, () -> Json.parseTime("+999999999-12-31T23:59:59Z"));
        assertThrows(IOException.class, () -> Json.parseTime("+999999999-12-31T23:59:59+10:00"));
    }

    @Test
    void nonAsciiDigitsAreNotEpochMilliseconds() {
        assertThrows(IOException.class, () -> Json.parseTime("\u0661\u0662\u0663"));
    }

    @Test
    void reasonOfALabelWithLineBreaksIsOneEscapedLine() {
        String r = DeadLetter.reason("unknown label 'x\nFORGED\u0085\u2028' (classes: a, b)");
        assertEquals("unknown label 'x\\u000aFORGED\\u0085\\u2028' (classes: a, b)", r);
    }

    @Test
    void reasonQuotingThreeThousandCharactersIsCut() {
        String r = DeadLetter.reason("unknown fleet '" + "F".repeat(3000) + "'");
        assertEquals(DeadLetter.MAX_REASON, r.length());
        assertTrue(r.endsWith("…"));
    }

    @Test
    void c1ControlsAndLineSeparatorsInRawBytesAreEscaped() {
        assertEquals("a\\xc2\\x85b\\xe2\\x80\\xa8c\u00e9", DeadLetter.truncate(utf8("a\u0085b\u2028c\u00e9"), 64));
    }

    @Test
    void invalidUtf8InAWindowIsRefusedNotReplaced() {
        byte[] w = utf8("{\"time\":1,\"machine\":\"m1\",\"fleet\":\"dem#\",\"sample_rate_hz\":1,\"channels\":[[1]]}");
        w[new String(w, StandardCharsets.ISO_8859_1).indexOf('#')] = (byte) 0xef;
        IOException e = assertThrows(IOException.class, () -> new VibrationWindowJson(RecordLimits.DEFAULTS, 4, 64).decode(w));
        assertTrue(e.getMessage().startsWith("invalid UTF-8: byte 0xef at offset"), e.getMessage());
    }

    @Test
    void invalidUtf8InASkippedStringOfAReadingIsRefused() {
        byte[] head = utf8("{\"time\":1,\"station\":\"a\",\"lat\":1,\"lon\":2,\"q\":\"");
        byte[] r = java.util.Arrays.copyOf(head, head.length + 3);
        r[head.length] = (byte) 0xed; // a surrogate, U+D800, in UTF-8: not well-formed
        r[head.length + 1] = (byte) 0xa0;
        r[head.length + 2] = (byte) 0x80;
        byte[] value = (new String(r, StandardCharsets.ISO_8859_1) + "\"}").getBytes(StandardCharsets.ISO_8859_1);
        assertThrows(IOException.class, () -> new WeatherReadingJson(RecordLimits.DEFAULTS).decode(value));
        assertEquals(head.length, Utf8.firstInvalid(value));
        assertFalse(Utf8.firstInvalid(utf8("caf\u00e9 \uD83D\uDE00")) >= 0, "well-formed UTF-8 passes");
    }
}
