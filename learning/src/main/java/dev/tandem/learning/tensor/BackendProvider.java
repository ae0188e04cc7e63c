package dev.tandem.learning.tensor;

/**
 * ServiceLoader entry point of a backend module ({@code META-INF/services/dev.tandem.learning.tensor.BackendProvider}).
 * A provider must not throw from its constructor; {@link #probe()} says whether the backend can run here.
 */
public interface BackendProvider {

    String name();

    /** Preference for {@code auto}: higher wins among usable backends. */
    int priority();

    /** Tries to load the backend's native parts; never throws (catch LinkageError inside). */
    Availability probe();

    /** Creates the backend; only called after a successful probe. */
    Backend create();

    record Availability(boolean usable, String reason) {
        public static Availability yes(String reason) {
            return new Availability(true, reason);
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}
