package dev.tandem.operators.common;

/**
 * Strict UTF-8 validation (RFC 3629: no overlong form, no surrogate, nothing above U+10FFFF), in one pass over the
 * bytes. The JSON decoders run it first: their Jackson factory keeps field names out of its symbol table
 * ({@code CANONICALIZE_FIELD_NAMES} off), and Jackson then reads the bytes through a character reader that replaces
 * invalid UTF-8 with U+FFFD instead of refusing it. Found by fuzzing: a window whose fleet ended in a lone 0xEF byte
 * was read as {@code "dem\uFFFD"} where the project's strict mapper refuses the document.
 */
public final class Utf8 {
    private Utf8() {
    }

    /** The index of the first byte that is not part of well-formed UTF-8, or -1 when all of {@code b} is. */
    public static int firstInvalid(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int len;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                min = 0x10000;
            } else {
                return i;
            }
            if (i + len > n) {
                return i;
            }
            int cp = c & (0xff >> (len + 1));
            for (int k = 1; k < len; k++) {
                int d = b[i + k] & 0xff;
                if ((d & 0xc0) != 0x80) {
                    return i;
                }
                cp = cp << 6 | d & 0x3f;
            }
            if (cp < min || cp > 0x10ffff || cp >= 0xd800 && cp <= 0xdfff) {
                return i;
            }
            i += len;
        }
        return -1;
    }

    /** Throws when {@code b} is not well-formed UTF-8, naming the first bad byte and its offset. */
    public static void check(byte[] b) throws java.io.IOException {
        int at = firstInvalid(b);
        if (at >= 0) {
            throw new java.io.IOException(String.format(java.util.Locale.ROOT,
                    "invalid UTF-8: byte 0x%02x at offset %d", b[at] & 0xff, at));
        }
    }
}
