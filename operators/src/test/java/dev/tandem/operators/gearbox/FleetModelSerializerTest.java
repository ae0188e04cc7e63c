package dev.tandem.operators.gearbox;

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

class FleetModelSerializerTest {

    @Test
    void roundTripKeepsWeightsOptimizerCountersAndThePendingBatch() throws IOException {
        FleetLearner learner = new FleetLearner(ClassifierTrainerFunctionTest.SETTINGS, new JavaBackend(), new GearboxCnnFactory());
        List<VibrationWindow> windows = ClassifierTrainerFunctionTest.stream(11, 3);
        FleetModel m = learner.create(windows.get(0));
        for (VibrationWindow w : windows) {
            learner.observe(m, w);
        }
        assertTrue(m.version >= 1 && m.pendingCount > 0, "trained and has pending examples");
        FleetModelSerializer serializer = new FleetModelSerializer("java");
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(m, out);
        out.writeInt(0xCAFE); // the reader must stop exactly at the record's end
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        FleetModel back = serializer.deserialize(in);
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
        FleetModel copy = serializer.copy(m);
        for (VibrationWindow w : ClassifierTrainerFunctionTest.stream(9, 50)) {
            Prediction a = learner.observe(m, w);
            Prediction b = learner.observe(back, w);
            Prediction c = learner.observe(copy, w);
            assertEquals(a, b);
            assertEquals(a, c);
        }
    }

    @Test
    void snapshotIsVersionedAndCompatibleWithItself() throws IOException {
        FleetModelSerializer serializer = new FleetModelSerializer("java");
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<FleetModel> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertEquals(serializer, read.restoreSerializer());
        TypeSerializerSchemaCompatibility<FleetModel> compat =
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
        IOException e = assertThrows(IOException.class, () -> new FleetModelSerializer("java")
                .deserialize(new DataInputDeserializer(out.getCopyOfBuffer())));
        assertTrue(e.getMessage().contains("format 99"));
    }
}
