package dev.tandem.operators.common;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dead letters by reason as Flink counters: {@code tandem.deadLetters.<kind>} on the operator that refused the
 * record, {@code <kind>} being the reason's leading words ({@link #kind}: "unknown fleet 'x'" → {@code unknown_fleet},
 * "late: reading of step 3 …" → {@code late}). A reason's details (values, names) are left out so that the number
 * of counters stays bounded whatever the input holds; past {@link #MAX_KINDS} kinds the rest count as {@code other}.
 */
public final class DeadLetterCounters {
    public static final int MAX_KINDS = 32;
    public static final String GROUP = "deadLetters";
    private final MetricGroup group;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** Counters under {@code <operator>.tandem.deadLetters}. */
    public DeadLetterCounters(MetricGroup operatorGroup) {
        this.group = TandemMetrics.group(operatorGroup).addGroup(GROUP);
    }

    public void count(String reason) {
        String kind = kind(reason);
        Counter c = counters.get(kind);
        if (c == null) {
            if (counters.size() >= MAX_KINDS) {
                kind = "other";
            }
            c = counters.computeIfAbsent(kind, group::counter);
        }
        c.inc();
    }

    /**
     * The kind of a reason: its leading run of letters, '_', '-' and spaces (stopping at a digit, quote, colon or
     * other sign), at most three words, lower case and joined by '_'; "other" when that is empty.
     */
    public static String kind(String reason) {
        if (reason == null) {
            return "other";
        }
        int end = 0;
        while (end < reason.length() && end < 64) {
            char ch = reason.charAt(end);
            if (!(Character.isLetter(ch) && ch < 128 || ch == '_' || ch == '-' || ch == ' ')) {
                break;
            }
            end++;
        }
        String[] words = reason.substring(0, end).trim().toLowerCase(Locale.ROOT).split(" +");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(3, words.length); i++) {
            if (!words[i].isEmpty()) {
                s.append(s.length() == 0 ? "" : "_").append(words[i]);
            }
        }
        return s.length() == 0 ? "other" : s.toString();
    }
}
