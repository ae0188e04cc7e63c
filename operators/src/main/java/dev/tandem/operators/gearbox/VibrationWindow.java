package dev.tandem.operators.gearbox;

import dev.tandem.operators.common.Json;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.util.Arrays;
import java.util.Objects;

/**
 * One window of gearbox vibration (topic {@code gearbox-windows}, key = machine): C channels of N samples each,
 * from one machine of one fleet, with the class label when it is known (maintenance records), else null.
 * A Flink POJO (public fields, no-argument constructor), so it travels without Kryo.
 *
 * <p>JSON: {@code {"time":…, "machine":"m1", "fleet":"demo", "sample_rate_hz":5120.0, "channels":[[…],[…]],
 * "label":"healthy", "rpm":1797}} ({@code rpm}, the shaft speed, is optional). Binary: see {@link VibrationWindowBinary}.
 */
public class VibrationWindow {
    /** Event time of the window's first sample, epoch milliseconds. */
    @JsonDeserialize(using = Json.TimeDeserializer.class)
    public long time;
    public String machine;
    public String fleet;
    public double sampleRateHz;
    /** channels[c][i]: sample i of channel c. */
    public float[][] channels;
    /** Class label (one of the configured classes) or null when unlabelled. */
    public String label;
    /**
     * Where the window came from (topic, partition, offset; null/-1 when not from a topic), so that the trainer's
     * dead letters point at the record; not part of the window's JSON, its equality or its binary form.
     */
    @JsonIgnore
    public String sourceTopic;
    @JsonIgnore
    public int sourcePartition = -1;
    @JsonIgnore
    public long sourceOffset = -1;
    /** Shaft speed in revolutions per minute, null when the sender does not know it (then no order tracking). */
    public Double rpm;

    public VibrationWindow() {
    }

    /** A window with its shaft speed. */
    public VibrationWindow(long time, String machine, String fleet, double sampleRateHz, float[][] channels, String label,
                           Double rpm) {
        this(time, machine, fleet, sampleRateHz, channels, label);
        this.rpm = rpm;
    }

    public VibrationWindow(long time, String machine, String fleet, double sampleRateHz, float[][] channels, String label) {
        this.time = time;
        this.machine = machine;
        this.fleet = fleet;
        this.sampleRateHz = sampleRateHz;
        this.channels = channels;
        this.label = label;
    }

    /** The shaft speed, NaN when unknown (the learner's convention). */
    public double rpmOrNaN() {
        return rpm == null ? Double.NaN : rpm;
    }

    public int channelCount() {
        return channels == null ? 0 : channels.length;
    }

    /** The samples channel-major, [C × N] (the learner's input layout). */
    public float[] samples() {
        int c = channelCount();
        int n = length();
        float[] x = new float[c * n];
        for (int i = 0; i < c; i++) {
            System.arraycopy(channels[i], 0, x, i * n, n);
        }
        return x;
    }

    public int length() {
        return channels == null || channels.length == 0 || channels[0] == null ? 0 : channels[0].length;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VibrationWindow w)) {
            return false;
        }
        return time == w.time && Double.compare(sampleRateHz, w.sampleRateHz) == 0 && Objects.equals(machine, w.machine)
                && Objects.equals(fleet, w.fleet) && Arrays.deepEquals(channels, w.channels) && Objects.equals(label, w.label)
                && Objects.equals(rpm, w.rpm);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, machine, fleet, sampleRateHz, label) * 31 + Arrays.deepHashCode(channels);
    }

    @Override
    public String toString() {
        return "VibrationWindow{time=" + time + ", machine=" + machine + ", fleet=" + fleet + ", sampleRateHz="
                + sampleRateHz + ", " + channelCount() + "x" + length() + ", label=" + label
                + (rpm == null ? "" : ", rpm=" + rpm) + "}";
    }
}
