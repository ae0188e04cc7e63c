package dev.tandem.models.gearbox;

import java.util.List;

/**
 * One recording of a {@link VibrationManifest}: its manifest entry, channel names and samples, channel-major
 * ({@code samples[channel][time]}, every channel of the same length).
 */
public record VibrationRecording(VibrationManifest.Entry entry, List<String> channelNames, float[][] samples) {

    public int channels() {
        return samples.length;
    }

    /** Samples per channel. */
    public int length() {
        return samples.length == 0 ? 0 : samples[0].length;
    }

    public String label() {
        return entry.label();
    }

    public String machine() {
        return entry.machine();
    }

    public double sampleRateHz() {
        return entry.sampleRateHz();
    }
}
