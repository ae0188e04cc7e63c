package dev.tandem.models.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The one CSV reader of the canonical file formats (weather CSV, vibration manifests and recordings, the BoM
 * source files): UTF-8, gzip detected by its magic bytes rather than by the file name (data sets arrive renamed),
 * RFC 4180 quoting without embedded line breaks. Bounded (docs/HARDENING.md): a line longer than
 * {@link #MAX_LINE_CHARS} characters or with more than {@link #MAX_FIELDS} fields is an error naming the line, so a
 * malformed or hostile file costs time linear in its size and memory bounded by one line.
 */
public final class CsvFiles {
    /** Longest line read (system property {@code tandem.csv.max-line-chars}; default 1 MiB characters). */
    public static final int MAX_LINE_CHARS = Integer.getInteger("tandem.csv.max-line-chars", 1 << 20);
    /** Most fields on one line (system property {@code tandem.csv.max-fields}; default 10,000). */
    public static final int MAX_FIELDS = Integer.getInteger("tandem.csv.max-fields", 10_000);

    private CsvFiles() {
    }

    /** A UTF-8 reader of lines of at most {@link #MAX_LINE_CHARS} characters, gunzipping when the content starts with the gzip magic bytes. */
    public static BufferedReader reader(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            PushbackInputStream in = new PushbackInputStream(raw, 2);
            byte[] magic = new byte[2];
            int got = in.readNBytes(magic, 0, 2);
            if (got > 0) {
                in.unread(magic, 0, got);
            }
            InputStream data = got == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b
                    ? new GZIPInputStream(in, 1 << 16) : in;
            return new BoundedLineReader(new InputStreamReader(data, StandardCharsets.UTF_8), MAX_LINE_CHARS, file.toString());
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Splits one CSV line (RFC 4180 quoting, no embedded line breaks); fields are trimmed. */
    public static List<String> split(String line, Path file, int lineNo) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            cur.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char ch = line.charAt(i++);
                    if (ch == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            cur.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        cur.append(ch);
                    }
                }
                if (!closed) {
                    throw error(file, lineNo, "unterminated quoted field");
                }
                while (i < n && line.charAt(i) != ',') {
                    if (!Character.isWhitespace(line.charAt(i))) {
                        throw error(file, lineNo, "unexpected text after a quoted field");
                    }
                    i++;
                }
                out.add(cur.toString());
            } else {
                int start = i;
                while (i < n && line.charAt(i) != ',') {
                    i++;
                }
                out.add(line.substring(start, i).trim());
            }
            if (i >= n) {
                return out;
            }
            if (out.size() >= MAX_FIELDS) {
                throw error(file, lineNo, "more than " + MAX_FIELDS + " fields (tandem.csv.max-fields)");
            }
            i++; // the comma
        }
    }

    /**
     * The error of a line: {@code file:line: message}, the message {@link #printable}: it quotes the file's own text,
     * and a control character there must not reach a console or a log as such (found by fuzzing: a NUL or an escape
     * sequence in a field was printed raw).
     */
    public static IOException error(Path file, int line, String message) {
        return new IOException(file + ":" + line + ": " + printable(message));
    }

    /** {@code s} cut to at most {@code max} characters, the cut marked: a message quotes a line, not a megabyte. */
    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** {@code s} with every control character (C0, C1, DEL) and line or paragraph separator written as backslash-u. */
    public static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (control) {
                b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
