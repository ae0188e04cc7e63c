package dev.tandem.models.rain;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a streaming region's readings come at its configured step ({@code rainfall.step}): the job takes the step
 * as given, while {@code eval rainfall} infers it from the data, so a user who streams monthly data with the default
 * daily step would otherwise get frames for one day a month, forecasts for days that never get a frame (never scored)
 * and no word of it. Over the region's first readings this applies the evaluation's rule ({@link StepSpacings}) to
 * the spacings between consecutive readings of the same station; after {@value #SPACINGS} of them it decides once:
 * a mismatch when the inferred step is more than {@value #FACTOR} × longer or shorter than the configured one.
 *
 * <p>Bounded: it follows at most {@value #MAX_STATIONS} stations (their latest time each) and at most
 * {@value #SPACINGS} spacings, and forgets both once it has decided. A reading older than its station's latest
 * (out of order) gives no spacing. It is not state: after a restore the region checks its next readings again.
 */
public final class StepCheck {
    /** Spacings seen before deciding. */
    public static final int SPACINGS = 20;
    /** Stations followed (further ones are not, until it has decided). */
    public static final int MAX_STATIONS = 1024;
    /** How far (either way) the inferred step may be from the configured one before it is a mismatch. */
    public static final double FACTOR = 1.5;

    private final TimeStep configured;
    private Map<String, Long> latest = new HashMap<>();
    private StepSpacings spacings = new StepSpacings();
    private TimeStep inferred;
    private boolean decided;

    public StepCheck(TimeStep configured) {
        this.configured = configured;
    }

    /**
     * Takes in one reading (station, epoch ms).
     *
     * @return true exactly once: on the reading that decides a mismatch ({@link #warning} says what)
     */
    public boolean add(String station, long time) {
        if (decided) {
            return false;
        }
        Long prev = latest.get(station);
        if (prev == null) {
            if (latest.size() < MAX_STATIONS) {
                latest.put(station, time);
            }
            return false;
        }
        if (time > prev) {
            spacings.add(time - prev);
            latest.put(station, time);
        }
        if (spacings.count() < SPACINGS) {
            return false;
        }
        decided = true;
        inferred = spacings.step();
        latest = null;
        spacings = null;
        return mismatch();
    }

    /** Whether it has seen enough spacings to decide. */
    public boolean decided() {
        return decided;
    }

    /** The step the readings show; null until decided. */
    public TimeStep inferred() {
        return inferred;
    }

    /** Whether the decided step differs from the configured one by more than {@value #FACTOR} × either way. */
    public boolean mismatch() {
        if (inferred == null) {
            return false;
        }
        double ratio = ratio();
        return ratio > FACTOR || ratio < 1 / FACTOR;
    }

    /** The inferred step's length over the configured one's (a calendar month: its mean length). */
    double ratio() {
        return AdaptiveDefaults.days(inferred) / AdaptiveDefaults.days(configured);
    }

    /**
     * For {@code eval rainfall --step}: a warning when the given step is more than {@value #FACTOR} × shorter than the
     * data's (most steps would have no readings); null otherwise. A longer step is not warned about: the evaluation
     * aggregates the readings to it, which is what a user asking for weekly steps of daily data wants.
     */
    public static String finerThanData(TimeStep given, TimeStep data) {
        if (given == null || data == null) {
            return null;
        }
        double ratio = AdaptiveDefaults.days(data) / AdaptiveDefaults.days(given);
        if (ratio <= FACTOR) {
            return null;
        }
        return String.format(Locale.ROOT, "--step %s is %.1f x shorter than the data's step (%s, the most common spacing "
                + "between consecutive readings of a station): most steps have no readings, the window covers only a "
                + "fraction of one data step and the scores mean little. Leave --step out to use the data's step.",
                given.label(), ratio, data.label());
    }

    /** What a mismatch means for the region, naming the key, the configured value and the inferred step. */
    public String warning(String region) {
        if (!mismatch()) {
            return null;
        }
        String consequence = ratio() > 1
                ? "most steps have no readings and emit no frame, and a forecast for a step without a frame is never "
                + "scored"
                : String.format(Locale.ROOT, "each frame combines about %.0f readings a station (amounts summed, the "
                + "rest averaged)", 1 / ratio());
        return String.format(Locale.ROOT, "rainfall region '%s': its readings come every %s (the most common spacing "
                        + "between consecutive readings of a station, over the first %d), but rainfall.step is %s: %s. Set rainfall.step=%s "
                        + "unless that is intended.", region, inferred.label(), SPACINGS, configured.label(), consequence,
                inferred.label());
    }
}
