package dev.tandem.operators.al;

import dev.tandem.learning.al.AlComponent;
import dev.tandem.learning.al.ComponentState;
import dev.tandem.learning.al.Part;
import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelHash;
import dev.tandem.learning.optim.GradientClipping;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.MetricCapture;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An AL stage under numerical faults: refused steps leave the component, are counted and reported after K. */
class AlStageNumericalFaultsTest {
    static final int K = 2;

    @Test
    void poisonedBatchesLeaveTheComponentAndAreReportedAfterKInARow() throws Exception {
        AlStageSettings s = AlStreams.settings(0).withGuard(new TrainingGuard(GradientClipping.OFF, K));
        MetricCapture metrics = new MetricCapture();
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new AlStageFunction(s, 0)),
                (AlSignal a) -> a.key, Types.STRING, metrics.environment());
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, getClass().getClassLoader());
        List<AlStreams.Batch> batches = AlStreams.batches(6, 9);
        try (h) {
            h.open();
            feed(h, AlStreams.signals("f", batches.subList(0, 3), true));
            AlComponent before = exported(h, s);
            List<AlSignal> poisoned = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                float[] x = batches.get(3 + i).x().clone();
                x[5 + i] = i == 1 ? Float.POSITIVE_INFINITY : Float.NaN;
                poisoned.add(AlSignal.train("f", 10 + i, AlStreams.SHAPE, x, batches.get(3 + i).y().clone(),
                        AlStreams.BATCH));
            }
            poisoned.add(AlSignal.export("f", AlStreams.SHAPE));
            feed(h, poisoned);
            AlComponent after = exported(h, s);
            // the poison is in x: the association step (f_1, b_1) is refused; the labels are finite, so the autoencoder
            // step (g_1, h_1) is a good one and is applied
            for (Part p : List.of(Part.ENCODER, Part.BRIDGE)) {
                assertEquals(ModelHash.of(before.part(p)), ModelHash.of(after.part(p)), p + " bit for bit");
            }
            assertEquals(before.associationState().step(), after.associationState().step());
            assertEquals(before.autoencoderState().step() + 3, after.autoencoderState().step());
            assertEquals(3, after.faults().skipped());
            assertEquals(3, after.faults().consecutive());
            assertEquals(3, metrics.counter("skippedUpdates"));
            List<DeadLetter> dead = h.getSideOutput(AlStageFunction.FAULTS).stream().map(r -> r.getValue()).toList();
            assertEquals(1, dead.size());
            assertTrue(dead.get(0).reason.startsWith("numerical: non-finite loss: 2 consecutive skipped updates of AL "
                    + "component 1 of 'f' (2 in all)"), dead.get(0).reason);

            // the version-1 record (before the fault counts) still restores, without them
            byte[] two = lastExport(h);
            byte[] one = Arrays.copyOf(two, two.length - 2 * Long.BYTES);
            ByteBuffer.wrap(one).putInt(8, 1);
            AlComponent old = ComponentState.fromBytes(one, new JavaBackend(), s.optimizers().build());
            assertEquals(0, old.faults().skipped());
            assertEquals(ModelHash.of(after.part(Part.ENCODER)), ModelHash.of(old.part(Part.ENCODER)));
        }
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, AlSignal, AlSignal> h, List<AlSignal> in)
            throws Exception {
        for (AlSignal a : in) {
            h.processElement(new StreamRecord<>(a));
        }
    }

    private static byte[] lastExport(KeyedOneInputStreamOperatorTestHarness<String, AlSignal, AlSignal> h) {
        AlExport last = null;
        for (var r : h.getSideOutput(AlStageFunction.EXPORTS)) {
            last = r.getValue();
        }
        return last.state;
    }

    private static AlComponent exported(KeyedOneInputStreamOperatorTestHarness<String, AlSignal, AlSignal> h,
                                        AlStageSettings s) throws Exception {
        return ComponentState.fromBytes(lastExport(h), new JavaBackend(), s.optimizers().build());
    }
}
