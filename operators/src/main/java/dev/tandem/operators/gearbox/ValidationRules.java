package dev.tandem.operators.gearbox;


import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * What a vibration window must satisfy to be learned from (configuration keys {@code gearbox.channels.min/max},
 * {@code gearbox.window.min/max}, {@code gearbox.fleets}, {@code gearbox.classes}, {@code gearbox.windows.format},
 * {@code dead-letters.raw-max-bytes}). An empty fleet list accepts any fleet.
 */
public record ValidationRules(WindowFormat format, int minChannels, int maxChannels, int minLength, int maxLength,
        List<String> fleets, List<String> classes, int rawMaxBytes) implements Serializable {
    /** Largest shaft speed a window may carry (rpm): far above any gearbox, a bound for garbage. */
    public static final double MAX_RPM = 1_000_000;

    public ValidationRules {
        fleets = List.copyOf(fleets);
        classes = List.copyOf(classes);
    }

    /** Null when the window is acceptable, else the first reason it is not. */
    public String problem(VibrationWindow w) {
        if (w == null) {
            return "empty record (null)";
        }
        if (isBlank(w.machine)) {
            return "missing machine";
        }
        if (isBlank(w.fleet)) {
            return "missing fleet";
        }
        if (!fleets.isEmpty() && !fleets.contains(w.fleet)) {
            return "unknown fleet '" + w.fleet + "' (known: " + String.join(", ", fleets) + ")";
        }
        if (w.time <= 0) {
            return "missing or non-positive time " + w.time;
        }
        if (!(w.sampleRateHz > 0) || !Double.isFinite(w.sampleRateHz)) {
            return "sample_rate_hz must be a finite number > 0, got " + w.sampleRateHz;
        }
        if (w.rpm != null && !(w.rpm > 0 && w.rpm <= MAX_RPM)) {
            return "rpm must be a number in (0, " + (long) MAX_RPM + "] or absent, got " + w.rpm;
        }
        if (w.channels == null) {
            return "missing channels";
        }
        int c = w.channels.length;
        if (c < minChannels || c > maxChannels) {
            return "channel count " + c + " outside [" + minChannels + ", " + maxChannels + "]";
        }
        int n = -1;
        for (int i = 0; i < c; i++) {
            float[] ch = w.channels[i];
            if (ch == null) {
                return "channel " + i + " is null";
            }
            if (n < 0) {
                n = ch.length;
            } else if (ch.length != n) {
                return "channel " + i + " has " + ch.length + " samples, channel 0 has " + n;
            }
            for (int j = 0; j < ch.length; j++) {
                if (!Float.isFinite(ch[j])) {
                    return String.format(Locale.ROOT, "non-finite sample %s at channel %d index %d", ch[j], i, j);
                }
            }
        }
        if (n < minLength || n > maxLength) {
            return "window length " + n + " outside [" + minLength + ", " + maxLength + "]";
        }
        if (w.label != null && !classes.contains(w.label)) {
            return "unknown label '" + w.label + "' (classes: " + String.join(", ", classes) + ")";
        }
        return null;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
