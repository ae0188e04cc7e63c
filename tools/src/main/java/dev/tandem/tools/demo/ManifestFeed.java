package dev.tandem.tools.demo;

import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.gearbox.VibrationRecording;
import dev.tandem.models.gearbox.Windowing;
import dev.tandem.operators.gearbox.VibrationWindow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a canonical vibration data set (a {@code manifest.csv} directory, read with {@link VibrationManifest}):
 * every recording is cut into windows of {@code window} samples every {@code hop} samples, and the recordings'
 * windows are interleaved ({@link Windowing#interleave}, seeded; each recording stays in time order), as concurrent
 * machines would send them. A window carries its recording's label (null for an unlabelled recording) and the
 * manifest's machine id; every window's time is the replay time. Finite: {@link #next} returns null at the end,
 * unless {@code loop} starts it again.
 */
public final class ManifestFeed implements WindowFeed {
    private final VibrationManifest manifest;
    private final List<VibrationRecording> recordings = new ArrayList<>();
    private final List<Windowing.Window> order;
    private final int window;
    private final String fleet;
    private final boolean loop;
    private int position;

    public ManifestFeed(Path dir, int window, int hop, String fleet, long seed, boolean loop) throws IOException {
        this.manifest = VibrationManifest.read(dir);
        this.window = window;
        this.fleet = fleet;
        this.loop = loop;
        List<List<Windowing.Window>> per = new ArrayList<>();
        for (int i = 0; i < manifest.entries().size(); i++) {
            VibrationRecording r = VibrationManifest.readRecording(manifest.entries().get(i));
            recordings.add(r);
            List<Windowing.Window> cuts = new ArrayList<>();
            for (int start = 0; start + window <= r.length(); start += hop) {
                cuts.add(new Windowing.Window(i, start, false));
            }
            per.add(cuts);
        }
        this.order = Windowing.interleave(per, seed);
        if (order.isEmpty()) {
            throw new IOException("no recording in " + dir + " holds a window of " + window + " samples");
        }
    }

    @Override
    public VibrationWindow next(long timeMs) {
        if (position >= order.size()) {
            if (!loop) {
                return null;
            }
            position = 0;
        }
        Windowing.Window w = order.get(position++);
        VibrationRecording r = recordings.get(w.recording());
        float[] flat = new float[r.channels() * window];
        Windowing.copy(r, w.start(), window, flat, 0);
        float[][] ch = new float[r.channels()][];
        for (int c = 0; c < ch.length; c++) {
            ch[c] = java.util.Arrays.copyOfRange(flat, c * window, (c + 1) * window);
        }
        String label = r.label() == null || r.label().isEmpty() ? null : r.label();
        double rpm = r.entry().rpm();
        return new VibrationWindow(timeMs, r.machine(), fleet, r.sampleRateHz(), ch, label,
                Double.isNaN(rpm) ? null : rpm);
    }

    /** Windows in one pass over the data. */
    public int size() {
        return order.size();
    }

    @Override
    public List<String> labels() {
        return manifest.labels();
    }
}
