package dev.tandem.models.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;

/**
 * A line reader that refuses a line longer than a bound (with an {@link IOException} naming the line) instead of
 * growing one string until memory runs out: a CSV file without line breaks, or a gzip file that inflates to one
 * huge line, costs at most the bound. Lines end at LF, CR or CR LF, as with {@link BufferedReader#readLine()}.
 * Only reading is supported (no mark/reset).
 */
public final class BoundedLineReader extends BufferedReader {
    private final Reader in;
    private final int maxChars;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int lim;
    private long lineNo;
    private boolean skipLf;

    private final String name;

    /** {@code name} (e.g. the file) starts the message of a refused line. */
    public BoundedLineReader(Reader in, int maxChars, String name) {
        super(in, 1);
        this.name = name;
        this.in = in;
        this.maxChars = maxChars;
    }

    private boolean fill() throws IOException {
        if (pos < lim) {
            return true;
        }
        int n;
        try {
            do {
                n = in.read(buf, 0, buf.length);
            } while (n == 0);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            // found by fuzzing: corrupt gzip data failed a read with the inflater's bare message, naming no file
            throw new IOException(name + ":" + (lineNo + 1) + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
        pos = 0;
        lim = Math.max(n, 0);
        return n > 0;
    }

    @Override
    public String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (!fill()) {
                return line == null ? null : line.toString();
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int start = pos;
            while (pos < lim && buf[pos] != '\n' && buf[pos] != '\r') {
                pos++;
            }
            int len = pos - start;
            int have = line == null ? 0 : line.length();
            if (have + len > maxChars) {
                throw new IOException(name + ":" + (lineNo + 1) + ": line longer than " + maxChars
                        + " characters (tandem.csv.max-line-chars)");
            }
            if (pos < lim) {
                char end = buf[pos++];
                skipLf = end == '\r';
                lineNo++;
                if (line == null) {
                    return new String(buf, start, len);
                }
                return line.append(buf, start, len).toString();
            }
            if (line == null) {
                line = new StringBuilder(Math.max(16, len * 2));
            }
            line.append(buf, start, len);
        }
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        skipLf = false;
        return buf[pos++];
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        skipLf = false;
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, cbuf, off, n);
        pos += n;
        return n;
    }

    @Override
    public boolean ready() throws IOException {
        return pos < lim || in.ready();
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void mark(int readAheadLimit) throws IOException {
        throw new IOException("mark not supported");
    }

    @Override
    public void reset() throws IOException {
        throw new IOException("reset not supported");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
