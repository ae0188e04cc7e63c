package dev.tandem.job.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One configuration key: its name, type and allowed values. {@link #check} turns a string into the typed value or
 * fails with a message that names the key, the value and what is allowed.
 */
public record ConfigKey(String name, Type type, double min, double max, List<String> choices, String description) {

    /** SECRET: any text, never printed ({@link TandemConfig#describe} and {@link TandemConfig#effective} mask it). */
    public enum Type { STRING, NON_EMPTY, INT, LONG, DOUBLE, BOOLEAN, CHOICE, LIST, SECRET, INT_AUTO, DOUBLE_AUTO }

    /** The value of an {@code auto} key ({@link Type#INT_AUTO}, {@link Type#DOUBLE_AUTO}) that is {@code auto}. */
    public static final String AUTO = "auto";

    static ConfigKey string(String name, String description) {
        return new ConfigKey(name, Type.STRING, 0, 0, List.of(), description);
    }

    static ConfigKey secret(String name, String description) {
        return new ConfigKey(name, Type.SECRET, 0, 0, List.of(), description);
    }

    /** A password or a JAAS line: masked wherever the configuration is printed or logged. */
    public boolean secret() {
        return type == Type.SECRET;
    }

    static ConfigKey nonEmpty(String name, String description) {
        return new ConfigKey(name, Type.NON_EMPTY, 0, 0, List.of(), description);
    }

    static ConfigKey integer(String name, long min, long max, String description) {
        return new ConfigKey(name, Type.INT, min, max, List.of(), description);
    }

    /** An integer in [min, max] (min &gt; 0) or {@code auto}, which reads as 0: chosen from the data. */
    static ConfigKey integerOrAuto(String name, long min, long max, String description) {
        return new ConfigKey(name, Type.INT_AUTO, min, max, List.of(), description);
    }

    /** A number in [min, max] (min &gt; 0) or {@code auto}, which reads as 0: chosen from the data. */
    static ConfigKey decimalOrAuto(String name, double min, double max, String description) {
        return new ConfigKey(name, Type.DOUBLE_AUTO, min, max, List.of(), description);
    }

    static ConfigKey longValue(String name, String description) {
        return new ConfigKey(name, Type.LONG, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), description);
    }

    static ConfigKey decimal(String name, double min, double max, String description) {
        return new ConfigKey(name, Type.DOUBLE, min, max, List.of(), description);
    }

    static ConfigKey bool(String name, String description) {
        return new ConfigKey(name, Type.BOOLEAN, 0, 0, List.of("true", "false"), description);
    }

    static ConfigKey choice(String name, String description, String... choices) {
        return new ConfigKey(name, Type.CHOICE, 0, 0, Arrays.asList(choices), description);
    }

    static ConfigKey list(String name, String description) {
        return new ConfigKey(name, Type.LIST, 0, 0, List.of(), description);
    }

    /** What a value must be, in words ("an integer in [1, 16]"). */
    public String allowed() {
        return switch (type) {
            case STRING -> "any text";
            case SECRET -> "any text (a secret: masked when printed)";
            case NON_EMPTY -> "non-empty text";
            case INT -> "an integer in [" + fmt(min) + ", " + fmt(max) + "]";
            case INT_AUTO -> "auto or an integer in [" + fmt(min) + ", " + fmt(max) + "]";
            case DOUBLE_AUTO -> "auto or a number in [" + fmt(min) + ", " + fmt(max) + "]";
            case LONG -> "an integer";
            case DOUBLE -> "a number in [" + fmt(min) + ", " + fmt(max) + "]";
            case BOOLEAN -> "true or false";
            case CHOICE -> "one of " + String.join(", ", choices);
            case LIST -> "a comma-separated list";
        };
    }

    /** Parses and checks a value; the exception's message names the key. */
    public Object check(String raw) {
        String v = raw == null ? "" : raw.trim();
        try {
            return switch (type) {
                case STRING, SECRET -> v;
                case NON_EMPTY -> {
                    if (v.isEmpty()) {
                        throw bad(raw);
                    }
                    yield v;
                }
                case INT -> {
                    long x = Long.parseLong(v);
                    if (x < min || x > max) {
                        throw bad(raw);
                    }
                    yield (int) x;
                }
                case INT_AUTO, DOUBLE_AUTO -> {
                    if (v.equalsIgnoreCase(AUTO)) {
                        yield type == Type.INT_AUTO ? (Object) 0 : (Object) 0.0;
                    }
                    double x = type == Type.INT_AUTO ? Long.parseLong(v) : Double.parseDouble(v);
                    if (!Double.isFinite(x) || x < min || x > max) {
                        throw bad(raw);
                    }
                    yield type == Type.INT_AUTO ? (Object) (int) x : (Object) x;
                }
                case LONG -> Long.parseLong(v);
                case DOUBLE -> {
                    double x = Double.parseDouble(v);
                    if (!Double.isFinite(x) || x < min || x > max) {
                        throw bad(raw);
                    }
                    yield x;
                }
                case BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw bad(raw);
                    }
                    yield Boolean.parseBoolean(v);
                }
                case CHOICE -> {
                    String lower = v.toLowerCase(Locale.ROOT);
                    if (!choices.contains(lower)) {
                        throw bad(raw);
                    }
                    yield lower;
                }
                case LIST -> v.isEmpty() ? List.<String>of()
                        : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            };
        } catch (NumberFormatException e) {
            throw bad(raw);
        }
    }

    private IllegalArgumentException bad(String raw) {
        return new IllegalArgumentException("invalid value '" + quoted(raw) + "' for configuration key " + name
                + "; allowed: " + allowed());
    }

    /**
     * A value or key as an error message quotes it: control characters and line separators written as backslash-u,
     * cut at 200 characters. Found by fuzzing: an unknown key of NUL characters was printed raw at start-up.
     */
    public static String quoted(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() >= 200 ? b.substring(0, 197) + "..." : b.toString();
    }

    /**
     * An error message with its control characters and line separators written as backslash-u, not cut: the safety
     * net under every start-up refusal, whatever value a message quotes (found by fuzzing).
     */
    static String withoutControls(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String fmt(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
