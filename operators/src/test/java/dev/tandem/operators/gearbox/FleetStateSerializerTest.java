package dev.tandem.operators.gearbox;

import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.GearboxCnnFactory;

import dev.tandem.learning.backend.JavaBackend;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetStateSerializerTest {

    @Test
    void roundTripKeepsWeightsOptimizerCountersAndThePendingBatch() throws IOException {
        FleetLearner learner = new FleetLearner(FleetTrainerFunctionTest.SETTINGS, new JavaBackend(), new GearboxCnnFactory());
        List<VibrationWindow> windows = FleetTrainerFunctionTest.stream(11, 3);
        FleetState m = FleetTrainerFunction.create(learner, windows.get(0));
        for (VibrationWindow w : windows) {
            FleetTrainerFunction.observe(learner, m, w);
        }
        assertTrue(m.version >= 1 && m.pendingCount > 0, "trained and has pending examples");
        FleetStateSerializer serializer = new FleetStateSerializer("java");
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(m, out);
        out.writeInt(0xCAFE); // the reader must stop exactly at the record's end
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        FleetState back = serializer.deserialize(in);
        assertEquals(0xCAFE, in.readInt());
        assertEquals(m.hash(), back.hash());
        assertEquals(m.version, back.version);
        assertEquals(m.windows, back.windows);
        assertEquals(m.labelled, back.labelled);
        assertEquals(m.correct, back.correct);
        assertEquals(m.pendingCount, back.pendingCount);
        assertEquals(m.optimizerState.step(), back.optimizerState.step());
        assertArrayEquals(m.classes, back.classes);
        // both continue identically
        FleetState copy = serializer.copy(m);
        for (VibrationWindow w : FleetTrainerFunctionTest.stream(9, 50)) {
            Prediction a = FleetTrainerFunction.observe(learner, m, w);
            Prediction b = FleetTrainerFunction.observe(learner, back, w);
            Prediction c = FleetTrainerFunction.observe(learner, copy, w);
            assertEquals(a, b);
            assertEquals(a, c);
        }
    }

    @Test
    void faultCountsRoundTripAndFormatThreeStateRestoresWithoutThem() throws IOException {
        FleetLearner learner = new FleetLearner(FleetTrainerFunctionTest.SETTINGS, new JavaBackend(), new GearboxCnnFactory());
        List<VibrationWindow> windows = FleetTrainerFunctionTest.stream(9, 3);
        FleetState m = FleetTrainerFunction.create(learner, windows.get(0));
        for (VibrationWindow w : windows) {
            FleetTrainerFunction.observe(learner, m, w);
        }
        for (VibrationWindow w : FleetTrainerNumericalFaultsTest.poisoned(2, 40)) {
            FleetTrainerFunction.observe(learner, m, w);
        }
        assertEquals(2, m.faults.skipped());
        FleetStateSerializer serializer = new FleetStateSerializer("java");
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(m, out);
        byte[] four = out.getCopyOfBuffer();
        FleetState back = serializer.deserialize(new DataInputDeserializer(four));
        assertEquals(2, back.faults.skipped());
        assertEquals(2, back.faults.consecutive());
        // format 3 is format 4 without the two trailing counts
        byte[] three = java.util.Arrays.copyOf(four, four.length - 2 * Long.BYTES);
        java.nio.ByteBuffer.wrap(three).putInt(0, 3);
        FleetState old = serializer.deserialize(new DataInputDeserializer(three));
        assertEquals(0, old.faults.skipped());
        assertEquals(m.hash(), old.hash());
        assertEquals(m.version, old.version);
        assertEquals(m.pendingCount, old.pendingCount);
    }

    @Test
    void snapshotIsVersionedAndCompatibleWithItself() throws IOException {
        FleetStateSerializer serializer = new FleetStateSerializer("java");
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<FleetState> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertEquals(serializer, read.restoreSerializer());
        TypeSerializerSchemaCompatibility<FleetState> compat =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertTrue(compat.isCompatibleAsIs());
    }

    @Test
    void unknownRecordFormatIsRefused() {
        DataOutputSerializer out = new DataOutputSerializer(16);
        try {
            out.writeInt(99);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        IOException e = assertThrows(IOException.class, () -> new FleetStateSerializer("java")
                .deserialize(new DataInputDeserializer(out.getCopyOfBuffer())));
        assertTrue(e.getMessage().contains("format 99"));
    }
}
