package dev.tandem.operators.rain;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Grid;
import dev.tandem.models.rain.RegionLearner;
import dev.tandem.models.rain.RegionSettings;
import dev.tandem.models.rain.RegionState;
import dev.tandem.models.rain.StationRain;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Record format 5 (the combination, the fault counts) round-trips exactly; state of formats 3 and 4 is still read.
 */
class RegionStateFormatTest {
    static final Grid GRID = new Grid(2, 2, 0, 0, 1, 1);
    static final List<String> FEATURES = List.of("rain_mm");
    static final RegionSettings SETTINGS = new RegionSettings("1d", 2, 2, "s-sgd", 0.05, 0.9, 1, 0.01, 500, 0,
            new int[] {2}, new int[] {3}, 2, 4, 1, 10, 3L, "java");

    static Frame frame(long step, SplittableRandom rng) {
        float[] rain = new float[4];
        float[] values = new float[4];
        for (int k = 0; k < 4; k++) {
            rain[k] = rng.nextDouble() < 0.5 ? 0 : (float) (5 * rng.nextDouble());
            values[k] = rain[k] / 5;
        }
        float[] ones = {1, 1, 1, 1};
        return new Frame(GRID, step, FEATURES, values, ones.clone(), ones.clone(), rain, ones.clone());
    }

    static StationRain stations(Frame f) {
        return new StationRain(new String[] {"a", "b", "c", "d"}, new double[] {0, 0, 1, 1}, new double[] {0, 1, 0, 1},
                f.rainMm().clone());
    }

    static byte[] bytes(RegionStateSerializer s, RegionState m) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        s.serialize(m, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void formatFourRoundTripsTheCombinationExactly() throws Exception {
        RegionLearner learner = RegionLearner.convLstm(SETTINGS, new JavaBackend());
        RegionLearner twin = RegionLearner.convLstm(SETTINGS, new JavaBackend());
        RegionStateSerializer ser = new RegionStateSerializer("java");
        RegionState m = learner.create(GRID, FEATURES);
        SplittableRandom rng = new SplittableRandom(1);
        for (int t = 0; t < 12; t++) {
            Frame f = frame(t, rng);
            learner.observe(m, f, stations(f));
        }
        byte[] saved = bytes(ser, m);
        RegionState r = ser.deserialize(new DataInputDeserializer(saved));
        assertNotNull(r.experts);
        assertArrayEquals(saved, bytes(ser, r), "written again, the same bytes");
        for (int t = 12; t < 20; t++) {
            Frame f = frame(t, rng);
            RegionLearner.Step a = learner.observe(m, f, stations(f));
            RegionLearner.Step b = twin.observe(r, f, stations(f));
            assertEquals(2, a.issuedLeads().size(), "leads 1 and 2");
            for (int k = 0; k < 2; k++) {
                assertArrayEquals(a.issuedLeads().get(k).rainMm(), b.issuedLeads().get(k).rainMm(), "step " + t);
                assertArrayEquals(a.issuedLeads().get(k).probability(), b.issuedLeads().get(k).probability());
                assertArrayEquals(a.issuedLeads().get(k).weights(), b.issuedLeads().get(k).weights(), 0);
            }
        }
    }

    @Test
    void stateOfFormatThreeIsReadAndStartsAFreshCombination() throws Exception {
        RegionLearner learner = RegionLearner.convLstm(SETTINGS, new JavaBackend());
        RegionStateSerializer ser = new RegionStateSerializer("java");
        RegionState m = learner.create(GRID, FEATURES);
        Frame f0 = frame(0, new SplittableRandom(2));
        learner.observe(m, f0, stations(f0)); // one frame, T = 2: nothing pending yet
        byte[] five = Arrays.copyOf(bytes(ser, m), bytes(ser, m).length - SCALE_TAIL);
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        m.experts.write(new DataOutputStream(block));
        // format 3 is format 5 without the trailing combination and fault run (and, here, without pending forecasts)
        byte[] three = Arrays.copyOf(five, five.length - block.size() - Long.BYTES);
        ByteBuffer.wrap(three).putInt(0, 3);
        RegionState r = ser.deserialize(new DataInputDeserializer(three));
        assertNull(r.experts);
        assertEquals(1, r.frames.size());
        Frame f1 = frame(1, new SplittableRandom(3));
        RegionLearner.Step s = learner.observe(r, f1, stations(f1));
        assertNotNull(r.experts, "the learner starts a fresh combination");
        assertEquals(2, s.issuedLeads().size());
    }

    @Test
    void theFaultCountsRoundTripAndStateOfFormatFourRestoresWithoutARunOfFaults() throws Exception {
        RegionLearner learner = RegionLearner.convLstm(SETTINGS, new JavaBackend());
        RegionStateSerializer ser = new RegionStateSerializer("java");
        RegionState m = learner.create(GRID, FEATURES);
        SplittableRandom rng = new SplittableRandom(4);
        for (int t = 0; t < 6; t++) { // frame 3 enters a learned window (frames 2, 3 → 5) at t = 5
            Frame f = t == 3 ? poisoned(frame(t, rng)) : frame(t, rng);
            learner.observe(m, f, stations(f));
        }
        assertEquals(1, m.convLstmState().skipped());
        assertEquals(1, m.convLstmState().faults().consecutive());
        String hash = dev.tandem.learning.io.ModelHash.of(m.convLstmState().model);
        byte[] six = bytes(ser, m);
        byte[] five = Arrays.copyOf(six, six.length - SCALE_TAIL);
        RegionState r = ser.deserialize(new DataInputDeserializer(six));
        assertEquals(1, r.convLstmState().skipped());
        assertEquals(1, r.convLstmState().faults().consecutive());
        // format 4: the same record without the trailing run of faults; the total still restores
        byte[] four = Arrays.copyOf(five, five.length - Long.BYTES);
        ByteBuffer.wrap(four).putInt(0, 4);
        RegionState old = ser.deserialize(new DataInputDeserializer(four));
        assertEquals(1, old.convLstmState().skipped());
        assertEquals(0, old.convLstmState().faults().consecutive());
        assertEquals(hash, dev.tandem.learning.io.ModelHash.of(old.convLstmState().model));
        assertNotNull(old.experts);
    }

    /** The format-6 tail of a state with a set rain scale: double scale, byte 0 (no sample). */
    static final int SCALE_TAIL = Double.BYTES + 1;

    static final RegionSettings AUTO_SCALE = new RegionSettings("1d", 2, 2, "s-sgd", 0.05, 0.9, 1, 0.01, 500, 0,
            new int[] {2}, new int[] {3}, 2, 4, 1, 0, 3L, "java");

    @Test
    void theRainScaleAndItsSampleRoundTripAndOldStateKeepsTheUnitsItLearnedIn() throws Exception {
        RegionStateSerializer ser = new RegionStateSerializer("java");
        RegionLearner learner = RegionLearner.convLstm(AUTO_SCALE, new JavaBackend());
        RegionLearner twin = RegionLearner.convLstm(AUTO_SCALE, new JavaBackend());
        RegionState m = learner.create(GRID, FEATURES);
        SplittableRandom rng = new SplittableRandom(5);
        RegionState r = null;
        boolean sawSample = false;
        for (int t = 0; t < 60; t++) {
            if (t % 3 == 0) { // restore every third frame, while the sample grows and after it froze
                byte[] saved = bytes(ser, m);
                r = ser.deserialize(new DataInputDeserializer(saved));
                assertArrayEquals(saved, bytes(ser, r));
                sawSample |= r.rainSample != null;
                assertEquals(m.rainSample == null, r.rainSample == null);
                assertEquals(m.convLstmState().rainScale(), r.convLstmState().rainScale());
                m = r;
            }
            Frame f = frame(t, rng);
            (t % 2 == 0 ? learner : twin).observe(m, f, stations(f));
        }
        assertTrue(sawSample, "saved while the sample grew");
        assertNull(m.rainSample, "frozen within 60 frames of 4 stations, half of them wet");
        double scale = m.convLstmState().rainScale();
        assertTrue(scale > 0, "scale " + scale);
        // format 5 (no scale saved): the configured units, or with auto the old default of 10 mm
        byte[] six = bytes(ser, m);
        byte[] five = Arrays.copyOf(six, six.length - SCALE_TAIL);
        ByteBuffer.wrap(five).putInt(0, 5);
        RegionState old = ser.deserialize(new DataInputDeserializer(five));
        assertTrue(Double.isNaN(old.convLstmState().rainScale()));
        learner.forecaster(old);
        assertEquals(dev.tandem.models.rain.AdaptiveDefaults.LEGACY_RAIN_SCALE, old.convLstmState().rainScale());
        RegionState oldSet = ser.deserialize(new DataInputDeserializer(five));
        RegionLearner.convLstm(SETTINGS, new JavaBackend()).forecaster(oldSet);
        assertEquals(10.0, oldSet.convLstmState().rainScale(), "rainfall.rain-scale as configured");
    }

    static Frame poisoned(Frame f) {
        float[] v = f.values().clone();
        v[0] = Float.NaN;
        return new Frame(f.grid(), f.step(), f.features(), v, f.masks(), f.coverage(), f.rainMm(), f.rainMask());
    }
}
