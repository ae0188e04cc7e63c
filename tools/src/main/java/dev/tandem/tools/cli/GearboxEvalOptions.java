package dev.tandem.tools.cli;

import static dev.tandem.tools.OptionCheck.require;

import dev.tandem.tools.eval.GearboxEvaluation;
import dev.tandem.models.gearbox.VibrationManifest;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The stream, split and training options shared by {@code eval gearbox} and {@code eval decision}. */
final class GearboxEvalOptions {
    @Option(names = "--data", paramLabel = "DIR", required = true,
            description = "Folder with manifest.csv (or the manifest file itself).")
    Path data;

    @Option(names = "--window", defaultValue = "2048", description = "Window length in samples. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--hop", paramLabel = "N",
            description = "Samples between the starts of consecutive training windows. Default: window / 4.")
    Integer hop;

    @Option(names = "--holdout-hop", paramLabel = "N",
            description = "Samples between holdout windows. Default: the window length (no overlap).")
    Integer holdoutHop;

    @Option(names = "--machines", paramLabel = "M", split = ",",
            description = "Only these machine ids of the manifest. Default: all.")
    List<String> machines;

    @Option(names = "--snr", paramLabel = "DB",
            description = "Add seeded white Gaussian noise at this signal-to-noise ratio (dB) to every window.")
    Double snr;

    @Option(names = "--normalise", defaultValue = "window", paramLabel = "MODE",
            description = "window (every channel of every window to mean 0, std 1) or none. Default: ${DEFAULT-VALUE}.")
    String normalise;

    @Option(names = "--no-jitter", description = "Passes after the first reuse the first pass's window starts (default: moved by a random offset < hop).")
    boolean noJitter;

    @Option(names = "--epochs", defaultValue = "10",
            description = "Passes over the training windows; the first is the prequential one. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--rpm", paramLabel = "M=RPM", split = ",",
            description = {"Shaft speed (revolutions per minute) of machine M's recordings, overriding the manifest's",
                    "rpm column (e.g. cwru-1797rpm=1797,cwru-1772rpm=1772)."})
    java.util.Map<String, Double> rpm;

    @Option(names = "--order-tracking", defaultValue = "off", paramLabel = "on|off",
            description = {"Resample windows whose recording has a shaft speed to the fleet's reference speed (the",
                    "first one seen), so that shaft-locked frequencies stay put across speeds (docs/GEARBOX.md:",
                    "on CWRU it costs accuracy). Default: ${DEFAULT-VALUE}."})
    String orderTracking;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation, stream order and noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    int hop() {
        return hop != null ? hop : Math.max(1, window / 4);
    }

    /** Checks the options and builds the evaluation's settings (shiftTo may be null). */
    GearboxEvaluation.Settings settings(String shiftTo, boolean adapt) {
        require(java.nio.file.Files.exists(data), "--data", data, "an existing folder with " + VibrationManifest.FILE_NAME);
        require(window >= 1, "--window", window, ">= 1");
        int hh = holdoutHop != null ? holdoutHop : window;
        require(normalise.equals("window") || normalise.equals("none"), "--normalise", normalise, "window, none");
        List<String> ms = new ArrayList<>();
        if (machines != null) {
            for (String m : machines) {
                if (!m.isBlank()) {
                    ms.add(m.trim());
                }
            }
            require(!ms.isEmpty(), "--machines", String.join(",", machines), "one or more machine ids");
        }
        require(orderTracking.equals("on") || orderTracking.equals("off"), "--order-tracking", orderTracking, "on, off");
        return new GearboxEvaluation.Settings(window, hop(), hh, ms, snr, shiftTo, epochs, batch, lr, seed,
                normalise.equals("window"), adapt, !noJitter, orderTracking.equals("on"));
    }

    /** The manifest of {@code --data}, with the speeds of {@code --rpm}. */
    VibrationManifest manifest() throws java.io.IOException {
        VibrationManifest m = VibrationManifest.read(data);
        if (rpm == null || rpm.isEmpty()) {
            return m;
        }
        try {
            return m.withSpeeds(rpm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for --rpm: " + e.getMessage());
        }
    }

    /** Progress bars on standard error, pass lines on standard output. */
    static GearboxEvaluation.Listener progress() {
        return new GearboxEvaluation.Listener() {
            private Progress bar;
            private String barPhase = "";

            @Override
            public void loaded(int recordings, long samples, int channels, List<String> classes, double seconds) {
                System.err.printf(Locale.ROOT, "loaded %d recordings, %,d values, %d channels, %d classes %s in %.1f s%n",
                        recordings, samples, channels, classes.size(), classes, seconds);
            }

            @Override
            public void progress(String phase, int done, int total, double loss, double accuracy) {
                if (bar == null || !barPhase.equals(phase)) {
                    bar = new Progress(System.err, phase, total);
                    barPhase = phase;
                }
                String detail = (Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "loss %.4f ", loss))
                        + (Double.isNaN(accuracy) ? "" : String.format(Locale.ROOT, "accuracy %.4f", accuracy));
                bar.update(done, detail);
            }

            @Override
            public void passEnd(int pass, int passes, double loss, double prequential, double seconds) {
                System.out.printf(Locale.ROOT, "pass %d/%d loss %.4f%s (%.0fs)%n", pass, passes, loss,
                        pass == 1 ? String.format(Locale.ROOT, " prequential accuracy %.4f", prequential) : "",
                        seconds);
            }
        };
    }

    static Object round6(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
    }
}
