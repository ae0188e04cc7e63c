package dev.tandem.operators.al;

import dev.tandem.learning.al.AlModel;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Stage state through Flink's checkpoint machinery: each stage in an operator harness, stage l's output fed to
 * stage l+1; a run checkpointed mid-stream and restored into fresh operators continues exactly as an uninterrupted
 * one — same (s_l, t_l) sent on, same decoder snapshots, same final parameters and optimizer states.
 */
class AlStageRestoreTest {
    static KeyedOneInputStreamOperatorTestHarness<String, AlSignal, AlSignal> harness(AlStageSettings s, int l)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new AlStageFunction(s, l)),
                (AlSignal a) -> a.key, Types.STRING);
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, AlStageRestoreTest.class.getClassLoader());
        return h;
    }

    /** The stages as a chain of harnesses; what the last one emits, and every stage's side outputs. */
    static final class Chain implements AutoCloseable {
        final List<KeyedOneInputStreamOperatorTestHarness<String, AlSignal, AlSignal>> stages = new ArrayList<>();

        Chain(AlStageSettings s, OperatorSubtaskState[] restore) throws Exception {
            for (int l = 0; l < s.depth(); l++) {
                var h = harness(s, l);
                if (restore != null) {
                    h.initializeState(restore[l]);
                }
                h.open();
                stages.add(h);
            }
        }

        /** Feeds signals through every stage in order; returns the last stage's new outputs. */
        List<AlSignal> feed(List<AlSignal> signals) throws Exception {
            List<AlSignal> current = signals;
            for (var h : stages) {
                int before = h.extractOutputValues().size();
                for (AlSignal a : current) {
                    h.processElement(new StreamRecord<>(a));
                }
                List<AlSignal> all = h.extractOutputValues();
                current = new ArrayList<>(all.subList(before, all.size()));
            }
            return current;
        }

        OperatorSubtaskState[] snapshot() throws Exception {
            OperatorSubtaskState[] out = new OperatorSubtaskState[stages.size()];
            for (int l = 0; l < out.length; l++) {
                out[l] = stages.get(l).snapshot(1L, 1L);
            }
            return out;
        }

        List<DecoderSnapshot> decoders(int l) {
            var q = stages.get(l).getSideOutput(AlStageFunction.DECODERS);
            List<DecoderSnapshot> out = new ArrayList<>();
            if (q != null) {
                q.forEach(r -> out.add(r.getValue()));
            }
            return out;
        }

        byte[] exported(int l) {
            var q = stages.get(l).getSideOutput(AlStageFunction.EXPORTS);
            AlExport last = null;
            for (var r : q) {
                last = r.getValue();
            }
            return last.state;
        }

        @Override
        public void close() throws Exception {
            for (var h : stages) {
                h.close();
            }
        }
    }

    @Test
    void restoredStagesContinueExactlyAsUninterruptedOnes() throws Exception {
        AlStageSettings s = AlStreams.settings(3);
        List<AlStreams.Batch> batches = AlStreams.batches(20, 5);
        List<AlSignal> first = AlStreams.signals("f", batches.subList(0, 11), false);
        List<AlSignal> second = AlStreams.signals("f", batches.subList(11, 20), true);
        for (AlSignal a : second) {
            a.seq += 11;
        }
        List<AlSignal> uninterrupted;
        byte[][] uninterruptedState = new byte[AlStreams.DEPTH][];
        List<DecoderSnapshot> uninterruptedDecoders;
        try (Chain c = new Chain(s, null)) {
            c.feed(first);
            uninterrupted = c.feed(second);
            for (int l = 0; l < AlStreams.DEPTH; l++) {
                uninterruptedState[l] = c.exported(l);
            }
            uninterruptedDecoders = c.decoders(1);
        }
        OperatorSubtaskState[] checkpoint;
        try (Chain c = new Chain(s, null)) {
            c.feed(first);
            checkpoint = c.snapshot();
        }
        try (Chain c = new Chain(s, checkpoint)) {
            List<AlSignal> resumed = c.feed(second);
            assertEquals(uninterrupted.size(), resumed.size());
            for (int i = 0; i < resumed.size(); i++) {
                assertArrayEquals(uninterrupted.get(i).s, resumed.get(i).s, "output " + i + " of the last stage");
                if (uninterrupted.get(i).versions != null) {
                    assertArrayEquals(uninterrupted.get(i).versions, resumed.get(i).versions);
                }
            }
            for (int l = 0; l < AlStreams.DEPTH; l++) {
                assertArrayEquals(uninterruptedState[l], c.exported(l), "stage " + (l + 1) + " state after restore");
            }
            List<DecoderSnapshot> after = c.decoders(1);
            List<DecoderSnapshot> expected = uninterruptedDecoders.subList(uninterruptedDecoders.size() - after.size(),
                    uninterruptedDecoders.size());
            assertEquals(3, after.size(), "h_2 published at steps 12, 15, 18 after the restore");
            for (int i = 0; i < after.size(); i++) {
                assertEquals(expected.get(i).version, after.get(i).version);
                assertArrayEquals(expected.get(i).model, after.get(i).model, "published decoder " + i);
            }
        }
        AlModel reference = AlStreams.reference(s, batches);
        for (int l = 0; l < AlStreams.DEPTH; l++) {
            assertArrayEquals(AlStreams.state(reference, l), uninterruptedState[l], "and both equal the synchronous trainer");
        }
    }

    @Test
    void serializerRoundTripAndVersionCheck() throws Exception {
        AlStageSettings s = AlStreams.settings(0);
        AlModel m = AlStreams.reference(s, AlStreams.batches(3, 9));
        AlStageState st = new AlStageState(m.component(1));
        st.publishedVersion = 2;
        st.signals = 7;
        AlStageStateSerializer ser = new AlStageStateSerializer();
        DataOutputSerializer out = new DataOutputSerializer(1024);
        ser.serialize(st, out);
        AlStageState back = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(2, back.publishedVersion);
        assertEquals(7, back.signals);
        assertArrayEquals(st.bytes(), back.bytes());
        assertArrayEquals(st.bytes(), ser.copy(st).bytes());
        byte[] bad = out.getCopyOfBuffer();
        bad[3] = 9; // record format 9
        IOException e = assertThrows(IOException.class, () -> ser.deserialize(new DataInputDeserializer(bad)));
        assertEquals("AL stage state format 9 unsupported; this build reads 1", e.getMessage());
    }
}
