package dev.tandem.tools.dashboard;

import dev.tandem.job.config.TandemConfig;

/**
 * What bounds the dashboard's memory: at most {@code maxKeys} of every kind of key (regions, fleets, machines per
 * fleet, stations, dead-letter reasons, metrics; the least recently updated is dropped), {@code history} points
 * per learning curve, {@code forecasts} forecasts per region (the time slider's range).
 */
public record DashboardLimits(int maxKeys, int history, int forecasts) {
    /** Alerts kept per fleet, predictions per machine for its mix, latest dead-letter examples. */
    static final int ALERTS = 50;
    static final int MIX = 100;
    static final int EXAMPLES = 10;
    /** Observed steps kept per station (the slider's range plus the persistence baseline's step). */
    static final int STEPS_PER_STATION = 64;
    /** Labelled predictions of a fleet's running accuracy, and how many make one new point of its curve. */
    static final int ACCURACY_WINDOW = 200;
    static final int ACCURACY_EVERY = 10;

    public static DashboardLimits of(TandemConfig c) {
        return new DashboardLimits(c.integer("dashboard.max-keys"), c.integer("dashboard.history"),
                c.integer("dashboard.forecasts"));
    }
}
