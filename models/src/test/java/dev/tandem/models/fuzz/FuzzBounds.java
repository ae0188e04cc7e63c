package dev.tandem.models.fuzz;

import java.lang.management.ManagementFactory;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The properties every fuzz target checks (docs/FUZZING.md), written once and independently of the code under test:
 * memory bounded by the input's size (bytes the decoding thread allocated, measured by the JVM), identifiers of the
 * documented character set, and reasons that are one printable line.
 */
public final class FuzzBounds {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** The identifier character set of docs/HARDENING.md, as a pattern (the code checks it char by char). */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]*");

    private FuzzBounds() {
    }

    /** Bytes allocated by the current thread so far (a running total; take the difference around a call). */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Fails when a call that allocated {@code allocated} bytes on an input of {@code inputBytes} bytes allocated more
     * than {@code perByte} bytes per input byte plus {@code fixed}: decoding must be linear in memory.
     */
    public static void assertLinearMemory(long allocated, long inputBytes, long perByte, long fixed, String what) {
        long bound = perByte * inputBytes + fixed;
        if (allocated > bound) {
            fail(what + " allocated " + allocated + " bytes for an input of " + inputBytes + " bytes; bound "
                    + bound + " (" + perByte + " per byte + " + fixed + ")");
        }
    }

    /** Fails unless {@code id} is an identifier of at most {@code maxLength} characters. */
    public static void assertIdentifier(String what, String id, int maxLength) {
        assertTrue(id != null && id.length() <= maxLength && IDENTIFIER.matcher(id).matches(),
                () -> what + " is not an identifier of at most " + maxLength + " characters: " + printable(id));
    }

    /**
     * Fails unless {@code reason} is a non-blank single line of printable characters (no C0/C1 control character,
     * no line or paragraph separator) of at most {@code maxLength} characters: a reason is read in logs and on the
     * dashboard, so nothing a record holds may forge lines there or grow it without bound.
     */
    public static void assertReason(String reason, int maxLength) {
        assertTrue(reason != null && !reason.isBlank(), "a refusal has a reason");
        assertTrue(reason.length() <= maxLength,
                () -> "reason of " + reason.length() + " characters (at most " + maxLength + "): "
                        + printable(reason.substring(0, 200)));
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                int at = i;
                fail("reason holds the control character U+" + String.format("%04X", (int) c) + " at " + at + ": "
                        + printable(reason));
            }
        }
    }

    /** {@code s} with every character outside printable ASCII written as backslash-u (for failure messages). */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
