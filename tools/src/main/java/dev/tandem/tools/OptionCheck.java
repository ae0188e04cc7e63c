package dev.tandem.tools;

/** The one wording of a rejected command-line value: it names the option and what is allowed. */
public final class OptionCheck {
    private OptionCheck() {
    }

    public static void require(boolean ok, String option, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException("invalid value " + value + " for " + option + "; allowed: " + allowed);
        }
    }
}
