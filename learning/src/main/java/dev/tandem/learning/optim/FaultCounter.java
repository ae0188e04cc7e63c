package dev.tandem.learning.optim;

/**
 * A model's record of refused updates, kept in its checkpointed state: how many updates were skipped in all, how
 * many in a row since the last good one, and what the last fault was (not checkpointed: it describes the moment).
 * {@link #record} says when a run of faults is long enough to report: at the guard's
 * {@code maxConsecutiveFaults}-th fault in a row and at every further multiple of it, so a model that stays broken
 * is reported again without flooding the dead letters.
 */
public final class FaultCounter {
    private long skipped;
    private long consecutive;
    private String last;
    private boolean reportDue;

    public FaultCounter() {
    }

    /** A counter restored from saved state (the last fault's description is not saved). */
    public FaultCounter(long skipped, long consecutive) {
        if (skipped < 0 || consecutive < 0 || consecutive > skipped) {
            throw new IllegalArgumentException("fault counts " + consecutive + " in a row of " + skipped
                    + " skipped are inconsistent");
        }
        this.skipped = skipped;
        this.consecutive = consecutive;
    }

    /** A good update: ends the run of faults. */
    public void ok() {
        consecutive = 0;
    }

    /** A skipped update; true when this run of faults is now due for a report ({@code threshold} in a row, 2×, ...). */
    public boolean record(String what, long threshold) {
        skipped++;
        consecutive++;
        last = what;
        reportDue |= consecutive % threshold == 0;
        return consecutive % threshold == 0;
    }

    /** Whether a report fell due since the last call (then clears it): for a caller that learns after the fact. */
    public boolean takeReport() {
        boolean due = reportDue;
        reportDue = false;
        return due;
    }

    /**
     * The report of the current run of faults, for a model named {@code model} ("fleet 'f1'"): what was not finite,
     * how many updates in a row were skipped, how many in all.
     */
    public String describe(String model) {
        return (last == null ? "non-finite values" : last) + ": " + consecutive + " consecutive skipped updates of "
                + model + " (" + skipped + " in all); the model stays at its last good update";
    }

    /** Records the outcome of a guarded step; true when a report is due (see {@link #record}). */
    public boolean record(TrainingGuard.Outcome outcome, long threshold) {
        if (!outcome.skipped()) {
            ok();
            return false;
        }
        return record("non-finite " + outcome.fault().what(), threshold);
    }

    public long skipped() {
        return skipped;
    }

    public long consecutive() {
        return consecutive;
    }

    /** What the last fault was ("non-finite gradient", say); null before the first fault since the start. */
    public String last() {
        return last;
    }
}
