package dev.tandem.models.rain;

import java.util.Arrays;
import java.util.Locale;

/**
 * The rules by which a region's settings follow its own stream when they are {@code auto} (docs/RAINFALL.md,
 * "Defaults that adapt to the data"). Each rule reads only what the stream shows — the time step, the grid and
 * features the region was built with, the rain observed in its first frames — never a score; the streaming job and
 * {@code eval rainfall} both reach them through {@link RegionLearner}, so they choose alike on the same data.
 *
 * <ul>
 *   <li><b>window</b> T ({@code rainfall.window}): the frames that cover {@value #WINDOW_SPAN_DAYS} days, the
 *       synoptic time scale over which weather systems form, pass and decay (a mid-latitude system lives 2–6 days),
 *       rounded up, at least {@value #WINDOW_MIN} frames and at most {@value #WINDOW_MAX} (the cost of a window is
 *       linear in T): daily → 4, hourly → 24 (one diurnal cycle), 10 min → 24 (4 h), 6 h → 16, 2 d → 3 (6 days),
 *       7 d → 3, monthly → 3 (a season).</li>
 *   <li><b>replay</b> ({@code rainfall.replay}): one year of steps (so the replayed mini-batches reach back over a
 *       whole annual cycle), at least {@value #REPLAY_MIN} examples, at most {@value #REPLAY_MAX} and at most what
 *       fits {@value #REPLAY_BUDGET_MIB} MiB of checkpointed replay (an example holds T × channels + 2H floats per
 *       cell), never fewer than the mini-batch: daily → 366, monthly → 64, hourly → the memory bound.</li>
 *   <li><b>rain scale</b> ({@code rainfall.rain-scale}, mm per model unit): the root mean square of the rain
 *       observed at the stations — dry readings included — over the region's first frames, with each amount clipped
 *       at {@value #FENCE} × the median of the wet (non-zero) ones so that a single extreme reading cannot set the
 *       units. Then the model's targets have a mean square of about 1 whatever the climate and the step, the loss of
 *       forecasting zero starts near 1, and the one learning rate suits every network (the inputs are standardised
 *       the same way, {@link FeatureNormaliser}). The sample grows until it holds {@value #SCALE_WET} wet readings
 *       (or, in a very dry region, {@value #SCALE_FRAMES} frames with at least one); then the scale is frozen, kept in
 *       the region's state, and the ConvLSTM starts learning (before that its targets would have no units). Bounded to
 *       [{@value #SCALE_MIN}, {@value #SCALE_MAX}] mm.</li>
 *   <li><b>climatology time constants</b> of the ConvLSTM's two rain-climatology input channels (not a key): the
 *       steps that cover {@value #CLIMATE_SHORT_DAYS} days (the recent wet or dry spell) and
 *       {@value #CLIMATE_LONG_DAYS} days (the cell's climate over a whole annual cycle), rounded, at least
 *       {@value #CLIMATE_SHORT_MIN} and {@value #CLIMATE_LONG_MIN} steps (an exponential mean of fewer steps is
 *       little more than the latest frame, which the input holds already): daily → 30 and 365 (exactly the fixed
 *       constants they replace), hourly → 720 and 8760, 10 min → 4320 and 52,560, 7 d → 4 and 52, monthly → 3 and
 *       12. They are rates, not state: a restored region continues its means with the constants of its step.</li>
 * </ul>
 *
 * The learning rate is not chosen here: with inputs and targets on unit scales (above), a step size of the
 * optimizer is already independent of the network's climate, units and time step, and no first-principles rule
 * relates it to station density or step length.
 */
public final class AdaptiveDefaults {
    static final int WINDOW_SPAN_DAYS = 4;
    static final int WINDOW_MIN = 3;
    static final int WINDOW_MAX = 24;
    static final int REPLAY_MIN = 64;
    static final int REPLAY_MAX = 4096;
    static final int REPLAY_BUDGET_MIB = 256;
    static final double FENCE = 10;
    static final int SCALE_WET = 50;
    static final int SCALE_FRAMES = 500;
    static final double SCALE_MIN = 0.1;
    static final double SCALE_MAX = 1000;
    static final int CLIMATE_SHORT_DAYS = 30;
    static final int CLIMATE_LONG_DAYS = 365;
    static final int CLIMATE_SHORT_MIN = 3;
    static final int CLIMATE_LONG_MIN = 12;
    /** The scale of a region restored from state written before the scale was saved (the old fixed default). */
    public static final double LEGACY_RAIN_SCALE = 10;

    private static final double DAY_MS = TimeStep.DAY;
    /** A calendar month's mean length (days, Gregorian). */
    private static final double MONTH_DAYS = 365.2425 / 12;

    private AdaptiveDefaults() {
    }

    /** The step's length in days (a calendar month: its mean length). */
    static double days(TimeStep step) {
        return step.monthly() ? MONTH_DAYS : step.millis() / DAY_MS;
    }

    /** Frames in the window: {@value #WINDOW_SPAN_DAYS} days of steps, in [{@value #WINDOW_MIN}, {@value #WINDOW_MAX}]. */
    public static int window(TimeStep step) {
        double n = Math.ceil(WINDOW_SPAN_DAYS / days(step) - 1e-9);
        return (int) Math.max(WINDOW_MIN, Math.min(WINDOW_MAX, n));
    }

    /**
     * Replayed examples: a year of steps, in [{@value #REPLAY_MIN}, {@value #REPLAY_MAX}], within the memory budget
     * for examples of {@code floatsPerExample} floats, and at least {@code batch}.
     */
    public static int replay(TimeStep step, int batch, long floatsPerExample) {
        double n = Math.ceil(365.25 / days(step) - 1e-9);
        n = Math.max(REPLAY_MIN, Math.min(REPLAY_MAX, n));
        long fits = (long) REPLAY_BUDGET_MIB * 1024 * 1024 / (4L * Math.max(1, floatsPerExample));
        n = Math.min(n, fits);
        return (int) Math.max(batch, n);
    }

    /**
     * The short climatology channel's time constant: {@value #CLIMATE_SHORT_DAYS} days of steps, rounded, at least
     * {@value #CLIMATE_SHORT_MIN} (daily: 30).
     */
    public static int climateShortSteps(TimeStep step) {
        return (int) Math.max(CLIMATE_SHORT_MIN, Math.round(CLIMATE_SHORT_DAYS / days(step)));
    }

    /**
     * The long climatology channel's time constant: {@value #CLIMATE_LONG_DAYS} days of steps, rounded, at least
     * {@value #CLIMATE_LONG_MIN} (daily: 365; monthly: 12).
     */
    public static int climateLongSteps(TimeStep step) {
        return (int) Math.max(CLIMATE_LONG_MIN, Math.min(Integer.MAX_VALUE, Math.round(CLIMATE_LONG_DAYS / days(step))));
    }

    /**
     * The rain scale of a sample: root mean square of the observed amounts (the dry ones as zeros), each clipped at
     * {@value #FENCE} × the median wet amount, bounded to [{@value #SCALE_MIN}, {@value #SCALE_MAX}] mm; NaN without
     * any wet amount.
     */
    public static double rainScale(long dry, float[] wet) {
        if (wet.length == 0) {
            return Double.NaN;
        }
        float[] w = wet.clone();
        Arrays.sort(w);
        int m = w.length;
        double median = m % 2 == 1 ? w[m / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]);
        double fence = FENCE * median;
        double ss = 0;
        for (float x : w) {
            double c = Math.min(x, fence);
            ss += c * c;
        }
        double rms = Math.sqrt(ss / (dry + m));
        return Math.max(SCALE_MIN, Math.min(SCALE_MAX, rms));
    }

    /**
     * The rain observed at a region's stations in its first frames, until the scale is frozen: the count of dry
     * readings and the wet amounts (at most {@value #SCALE_WET} plus one frame's). Part of the region's state.
     */
    public static final class RainSample {
        long dry;
        float[] wet;
        int wetCount;
        long frames;

        public RainSample() {
            this(0, new float[0], 0);
        }

        public RainSample(long dry, float[] wet, long frames) {
            this.dry = dry;
            this.wet = Arrays.copyOf(wet, Math.max(16, wet.length));
            this.wetCount = wet.length;
            this.frames = frames;
        }

        /** Takes in one frame's station rain (missing values are not readings). */
        public void add(float[] rainMm) {
            frames++;
            for (float x : rainMm) {
                if (!Float.isFinite(x) || x < 0) {
                    continue;
                }
                if (x == 0) {
                    dry++;
                } else {
                    if (wetCount == wet.length) {
                        wet = Arrays.copyOf(wet, 2 * wet.length);
                    }
                    wet[wetCount++] = x;
                }
            }
        }

        /** Whether the sample is big enough to freeze the scale. */
        public boolean ready() {
            return wetCount >= SCALE_WET || (wetCount > 0 && frames >= SCALE_FRAMES);
        }

        public double scale() {
            return rainScale(dry, wetAmounts());
        }

        public long dry() {
            return dry;
        }

        public long frames() {
            return frames;
        }

        public float[] wetAmounts() {
            return Arrays.copyOf(wet, wetCount);
        }
    }

    /**
     * What a region's learner chose, and whether each came from the rule ({@code auto}) or the configuration:
     * window, replay (0 for a forecaster without one), rain scale (NaN while not yet frozen; with the sample it came
     * from: wet and dry readings, frames), the step it was chosen for, the climatology channels' time constants (0 for
     * a forecaster without them) and, when the region's ConvLSTM was seeded from a model file that carries its rain
     * scale, that file ({@code scaleFile}, else null) and its scale ({@code scaleFileMm}): adopted when the
     * configuration says {@code auto}, overridden by a set value.
     */
    public record Chosen(TimeStep step, int window, boolean windowAuto, int replay, boolean replayAuto,
                         double rainScale, boolean rainScaleAuto, int scaleWet, long scaleDry, long scaleFrames,
                         double learningRate, int climateShortSteps, int climateLongSteps, String scaleFile,
                         double scaleFileMm) {
        public Chosen withScale(double scale, RainSample sample) {
            return new Chosen(step, window, windowAuto, replay, replayAuto, scale, rainScaleAuto,
                    sample == null ? 0 : sample.wetCount, sample == null ? 0 : sample.dry,
                    sample == null ? 0 : sample.frames, learningRate, climateShortSteps, climateLongSteps, scaleFile,
                    scaleFileMm);
        }

        /** The same choices, the region seeded from a model file that carries the rain scale {@code mm}. */
        public Chosen withScaleFile(String file, double mm) {
            boolean adopted = rainScaleAuto;
            return new Chosen(step, window, windowAuto, replay, replayAuto, adopted ? mm : rainScale, rainScaleAuto,
                    0, 0, 0, learningRate, climateShortSteps, climateLongSteps, file, mm);
        }

        /** Whether the rain scale is the seeding model file's (auto configured, and the file carries one). */
        public boolean rainScaleFromFile() {
            return rainScaleAuto && scaleFile != null;
        }

        /** Where the rain scale comes from: {@code auto} (the rule), {@code set}, or {@code model file}. */
        public String rainScaleSource() {
            return rainScaleFromFile() ? "model file" : rainScaleAuto ? "auto" : "set";
        }

        /** One line for a log: every choice and where it came from. */
        public String describe() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "step %s; window %d frames (%s)", step.label(), window,
                    windowAuto ? "auto: " + WINDOW_SPAN_DAYS + " days of steps in [" + WINDOW_MIN + ", " + WINDOW_MAX + "]" : "set"));
            if (replay > 0) {
                b.append(String.format(Locale.ROOT, "; replay %d examples (%s)", replay,
                        replayAuto ? "auto: a year of steps in [" + REPLAY_MIN + ", " + REPLAY_MAX + "], <= "
                                + REPLAY_BUDGET_MIB + " MiB" : "set"));
            }
            if (Double.isFinite(rainScale)) {
                String from;
                if (rainScaleFromFile()) {
                    from = "from the model file " + scaleFile;
                } else if (rainScaleAuto) {
                    from = String.format(Locale.ROOT, "auto: rms of %d wet and %d dry readings in %d frames",
                            scaleWet, scaleDry, scaleFrames);
                } else if (scaleFile != null) {
                    from = String.format(Locale.ROOT, "set; the model file %s was trained at %.4g mm", scaleFile,
                            scaleFileMm);
                } else {
                    from = "set";
                }
                b.append(String.format(Locale.ROOT, "; rain scale %.4g mm (%s)", rainScale, from));
            } else if (rainScaleAuto) {
                b.append("; rain scale not yet chosen");
            }
            if (climateShortSteps > 0) {
                b.append(String.format(Locale.ROOT, "; climatology channels %d and %d steps (auto: %d and %d days of "
                        + "steps, at least %d and %d)", climateShortSteps, climateLongSteps, CLIMATE_SHORT_DAYS,
                        CLIMATE_LONG_DAYS, CLIMATE_SHORT_MIN, CLIMATE_LONG_MIN));
            }
            if (learningRate > 0) {
                b.append(String.format(Locale.ROOT, "; learning rate %s (set)", learningRate));
            }
            return b.toString();
        }
    }
}
