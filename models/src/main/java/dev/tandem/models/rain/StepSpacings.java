package dev.tandem.models.rain;

import java.util.Map;
import java.util.TreeMap;

/**
 * The one rule that names a weather series' time step from the spacings between consecutive readings of a station
 * ({@link TimeStep#infer} for a whole file in {@code eval rainfall}, {@link StepCheck} over a streaming region's first
 * readings): the most common positive spacing, counted over all stations (ties: the shorter); spacings of 28 to 31
 * days count together as one calendar month, which wins when they outnumber the most common single spacing.
 */
public final class StepSpacings {
    private static final long MONTH_MIN = 28 * TimeStep.DAY;
    private static final long MONTH_MAX = 31 * TimeStep.DAY;
    private final TreeMap<Long, Long> counts = new TreeMap<>();
    private long total;

    /** Counts one spacing (ms) between consecutive distinct readings of a station; a spacing &le; 0 is not one. */
    public void add(long spacingMs) {
        if (spacingMs > 0) {
            counts.merge(spacingMs, 1L, Long::sum);
            total++;
        }
    }

    /** Spacings counted. */
    public long count() {
        return total;
    }

    /** Distinct spacings counted (what this holds in memory). */
    public int distinct() {
        return counts.size();
    }

    /** The step the spacings name; null before the first. */
    public TimeStep step() {
        if (counts.isEmpty()) {
            return null;
        }
        long best = -1;
        long bestCount = -1;
        long monthCount = 0;
        for (Map.Entry<Long, Long> e : counts.entrySet()) { // ascending: a tie keeps the shorter
            if (e.getKey() >= MONTH_MIN && e.getKey() <= MONTH_MAX) {
                monthCount += e.getValue();
            }
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        if (monthCount > bestCount) {
            return TimeStep.MONTHLY;
        }
        return best >= MONTH_MIN && best <= MONTH_MAX ? TimeStep.MONTHLY : new TimeStep(best, false);
    }
}
