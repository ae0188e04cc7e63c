package dev.tandem.operators.common;

/**
 * The character set of identifiers (machines, fleets, stations, feature names): ASCII letters, digits, {@code _},
 * {@code -}, {@code .} and {@code :}, starting with a letter, a digit or {@code _}, at most
 * {@code records.max-id-length} characters. Identifiers become keys of Flink state, Kafka record keys, metric
 * labels and file names, so nothing that could be read differently by one of them (blanks, slashes, quotes,
 * control or look-alike Unicode characters) is let in.
 */
public final class Identifiers {
    /** The character set, in words, for reasons and documentation. */
    public static final String ALLOWED = "ASCII letters, digits, '_', '-', '.', ':' (first: a letter, digit or '_')";

    private Identifiers() {
    }

    /** Null when {@code id} is a valid identifier of at most {@code maxLength} characters, else the reason. */
    public static String problem(String what, String id, int maxLength) {
        if (id == null || id.isEmpty()) {
            return "missing " + what;
        }
        if (id.length() > maxLength) {
            return "invalid " + what + ": " + id.length() + " characters; allowed: at most " + maxLength
                    + " (records.max-id-length)";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
                    || i > 0 && (c == '-' || c == '.' || c == ':');
            if (!ok) {
                return "invalid " + what + " '" + printable(id) + "': character " + (i + 1) + " is not allowed; allowed: "
                        + ALLOWED;
            }
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return s.length() > 64 ? b + "…" : b.toString();
    }
}
