package dev.tandem.models.rain;


import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time step of a weather series: a fixed duration (steps aligned to the Unix epoch, UTC: a daily step starts at
 * midnight UTC) or a calendar month (UTC). {@link #index(long)} numbers the steps; all readings with the same index
 * make one frame.
 */
public record TimeStep(long millis, boolean monthly) implements java.io.Serializable {
    public static final long MINUTE = 60_000L;
    public static final long HOUR = 60 * MINUTE;
    public static final long DAY = 24 * HOUR;
    public static final TimeStep HOURLY = new TimeStep(HOUR, false);
    public static final TimeStep DAILY = new TimeStep(DAY, false);
    public static final TimeStep MONTHLY = new TimeStep(0, true);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(min|h|d)");

    public TimeStep {
        if (!monthly && millis <= 0) {
            throw new IllegalArgumentException("a time step must be > 0 ms, got " + millis);
        }
    }

    /** The step that holds time t (epoch ms). */
    public long index(long t) {
        if (monthly) {
            LocalDate d = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).toLocalDate();
            return (d.getYear() - 1970L) * 12 + d.getMonthValue() - 1;
        }
        return Math.floorDiv(t, millis);
    }

    /** The first instant (epoch ms) of step i. */
    public long start(long i) {
        if (monthly) {
            long y = Math.floorDiv(i, 12) + 1970;
            int m = (int) Math.floorMod(i, 12) + 1;
            return LocalDate.of((int) y, m, 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }
        return i * millis;
    }

    /** Calendar month (1..12, UTC) of the start of step i. */
    public int month(long i) {
        return Instant.ofEpochMilli(start(i)).atZone(ZoneOffset.UTC).getMonthValue();
    }

    public String label() {
        if (monthly) {
            return "monthly";
        }
        if (millis == DAY) {
            return "daily";
        }
        if (millis == HOUR) {
            return "hourly";
        }
        if (millis % DAY == 0) {
            return (millis / DAY) + "d";
        }
        if (millis % HOUR == 0) {
            return (millis / HOUR) + "h";
        }
        if (millis % MINUTE == 0) {
            return (millis / MINUTE) + "min";
        }
        return millis + "ms";
    }

    /** Longest step {@link #parse} takes: 366 days. */
    public static final long MAX_MILLIS = 366 * 86_400_000L;

    /** {@code hourly}, {@code daily}, {@code monthly}, or {@code <n>min}, {@code <n>h}, {@code <n>d}. */
    public static TimeStep parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "hourly":
                return HOURLY;
            case "daily":
                return DAILY;
            case "monthly":
                return MONTHLY;
            default:
                break;
        }
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long unit = switch (m.group(2)) {
                case "min" -> MINUTE;
                case "h" -> HOUR;
                default -> DAY;
            };
            // at most a year: found by fuzzing, "99999999999d" overflowed the milliseconds (and, doubled, the
            // event-time gate's bound) and was accepted as a step of a few days or a negative one
            long n = m.group(1).length() > 9 ? Long.MAX_VALUE : Long.parseLong(m.group(1));
            if (n >= 1 && n <= MAX_MILLIS / unit) {
                return new TimeStep(n * unit, false);
            }
            if (n >= 1) {
                throw new IllegalArgumentException("time step '" + s + "' is longer than a year (366 days)");
            }
        }
        throw new IllegalArgumentException("time step '" + s + "' is not hourly, daily, monthly, <n>min, <n>h or <n>d");
    }

    /**
     * The data's own step: the most common spacing between consecutive distinct readings of a station, over all
     * stations (ties: the shorter). A spacing of 28 to 31 days is a calendar month ({@link StepSpacings}, the rule
     * the streaming job's {@link StepCheck} applies too). Null when no station has two readings at different times.
     */
    public static TimeStep infer(List<WeatherCsv.Reading> readings) {
        Map<String, List<Long>> byStation = new HashMap<>();
        for (WeatherCsv.Reading r : readings) {
            byStation.computeIfAbsent(r.station(), k -> new ArrayList<>()).add(r.time());
        }
        StepSpacings spacings = new StepSpacings();
        for (List<Long> times : byStation.values()) {
            long[] t = times.stream().mapToLong(Long::longValue).sorted().toArray();
            for (int i = 1; i < t.length; i++) {
                spacings.add(t[i] - t[i - 1]);
            }
        }
        return spacings.step();
    }
}
