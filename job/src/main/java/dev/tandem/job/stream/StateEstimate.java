package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.rain.WeatherFeatures;

import java.util.Locale;

/**
 * The keyed state a configuration is expected to checkpoint, computed before the job starts (the start-up check of
 * {@link CheckpointStorageSettings} compares it with what the storage holds). The grid and the features of a region
 * are only known from its first frame, so where the configuration leaves them open this takes the largest they can
 * be: {@code rainfall.grid.max-side}² cells and the standard features. The exact figure of a running job is the
 * {@code stateBytes} metric of its trainers (docs/CHECKPOINTS.md).
 *
 * @param keys        how many keys (regions, fleets) the figure is for, or 0 where that is open
 * @param bytesPerKey expected serialized state of one key
 * @param what        what the figure is, for messages ("rainfall forecaster state per region (...)")
 */
public record StateEstimate(int keys, long bytesPerKey, String what) {
    /** No state (nothing attached yet). */
    public static final StateEstimate NONE = new StateEstimate(0, 0, "no keyed state");

    /** Bytes of all keys, at least one. */
    public long totalBytes() {
        return Math.max(1, keys) * bytesPerKey;
    }

    /** The larger of two estimates per key; keys added (two jobs in one environment). */
    public StateEstimate plus(StateEstimate other) {
        StateEstimate big = bytesPerKey >= other.bytesPerKey ? this : other;
        return new StateEstimate(keys + other.keys, big.bytesPerKey, big.what);
    }

    /**
     * The rainfall forecaster's state per region: mostly the replay of recent examples, {@code rainfall.replay} ×
     * (T × channels + 2k) × cells × 4 bytes, channels = 2 × features + 5; plus the kept frames and the ConvLSTM
     * with its optimizer state.
     */
    public static StateEstimate rainfall(TandemConfig c) {
        int cells = cells(c);
        int features = c.list("rainfall.features").isEmpty() ? WeatherFeatures.STANDARD.size() : c.list("rainfall.features").size();
        int channels = 2 * features + 5;
        int horizon = c.integer("rainfall.horizon");
        // auto window and replay: the rules of the streaming job's learner for the configured step (AdaptiveDefaults)
        dev.tandem.models.rain.TimeStep step = dev.tandem.models.rain.TimeStep.parse(c.string("rainfall.step"));
        int window = c.integer("rainfall.window") > 0 ? c.integer("rainfall.window")
                : dev.tandem.models.rain.AdaptiveDefaults.window(step);
        long perExample = ((long) window * channels + 2L * horizon) * cells;
        int replayed = c.integer("rainfall.replay") > 0 ? c.integer("rainfall.replay")
                : dev.tandem.models.rain.AdaptiveDefaults.replay(step, c.integer("rainfall.batch"), perExample);
        long replay = (long) replayed * perExample * 4;
        long frames = (long) (window + horizon - 1) * (2L * features + 3) * cells * 4;
        long params = 0;
        int in = channels;
        int hiddenSum = 0;
        var hidden = c.list("rainfall.hidden");
        var kernels = c.list("rainfall.kernels");
        for (int l = 0; l < hidden.size() && l < kernels.size(); l++) {
            int h = Integer.parseInt(hidden.get(l));
            int k = Integer.parseInt(kernels.get(l));
            params += 4L * h * (in + h) * k * k + 4L * h;
            in = h;
            hiddenSum += h;
        }
        params += (long) (hiddenSum + 1) * horizon;
        long copies = switch (c.string("rainfall.optimizer")) {
            case "ssgd" -> 2 + c.integer("rainfall.ssgd.population"); // weights, momentum, one copy per salp
            case "sgd" -> 2;
            default -> 3;
        };
        long bytes = replay + frames + params * copies * 4;
        return new StateEstimate(1, bytes, String.format(Locale.ROOT,
                "rainfall forecaster state per region (rainfall.replay %d x (T %d x %d channels + 2k %d) x %d cells x 4 B"
                        + " + frames + model)", replayed, window, channels, 2 * horizon, cells));
    }

    /**
     * A gearbox fleet's state: the fleet network and its optimizer state (built once here for
     * {@code gearbox.channels.max} channels), the labelled windows of the next batch and the decision reservoir.
     */
    public static StateEstimate gearbox(TandemConfig c) {
        int channels = c.integer("gearbox.channels.max");
        int length = Math.max(c.integer("gearbox.window.min"), Math.min(c.integer("gearbox.window.max"), c.integer("replay.window")));
        int classes = c.classes().size();
        long params;
        try {
            params = new GearboxCnnFactory().build(Backends.choose("java").backend(), channels, length, classes, 1)
                    .parameterCount();
        } catch (RuntimeException e) {
            params = 1_000_000; // a shape the network refuses fails later with its own message; assume a large one
        }
        long copies = c.string("gearbox.optimizer").equals("adam") ? 3 : 2;
        long pending = (long) c.integer("gearbox.batch") * channels * length * 4;
        long reservoir = c.string("gearbox.decision.algorithm").equals("none") ? 0
                : (long) c.integer("gearbox.decision.reservoir") * (classes + 1) * 4;
        int fleets = c.list("gearbox.fleets").size();
        return new StateEstimate(fleets, params * copies * 4 + pending + reservoir, String.format(Locale.ROOT,
                "gearbox fleet state per fleet (%d parameters x %d copies x 4 B + a batch of %d windows of %d x %d + "
                        + "decision reservoir)", params, copies, c.integer("gearbox.batch"), channels, length));
    }

    /** Cells of the grid: fixed by bbox and resolution, else at most max-side². */
    private static int cells(TandemConfig c) {
        double[] box = c.rainfallBbox();
        double res = c.decimal("rainfall.resolution");
        if (box != null && res > 0) {
            Grid g = Grid.covering(box[0], box[1], box[2], box[3], res);
            return g.rows() * g.cols();
        }
        int side = c.integer("rainfall.grid.max-side");
        return side * side;
    }

    /** Bytes in MB with one decimal. */
    public static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
