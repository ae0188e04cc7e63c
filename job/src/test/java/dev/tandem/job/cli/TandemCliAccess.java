package dev.tandem.job.cli;

/** Lets tests in other packages run the command line in-process (TandemCliTest.run). */
public final class TandemCliAccess {
    public record Run(int code, String out, String err) {
    }

    private TandemCliAccess() {
    }

    public static Run run(String... args) {
        TandemCliTest.Run r = TandemCliTest.run(args);
        return new Run(r.code(), r.out(), r.err());
    }
}
