package dev.tandem.operators.al;

import dev.tandem.learning.al.AlInference;
import dev.tandem.learning.al.AlModel;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AL stages on Flink's mini cluster: the pipeline trains to exactly the parameters of the synchronous
 * single-process trainer on the same ordered stream, every stage is its own task, the stages' processing overlaps
 * in time, and predictions carry the encoder and decoder versions they used.
 */
class AlPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void pipelineTrainsToTheSynchronousTrainersParametersAndPredictsWithPublishedDecoders() throws Exception {
        String profile = "al-pipeline-test";
        StageTimeline.clear(profile);
        AlStageSettings settings = AlStreams.settings(5).withProfile(profile);
        List<AlStreams.Batch> a = AlStreams.batches(40, 1);
        List<AlStreams.Batch> b = AlStreams.batches(30, 2);
        List<AlSignal> signals = new ArrayList<>(AlStreams.signals("fleet-a", a, true));
        // a second key, interleaved: each key's stream keeps its order, its state is its own
        List<AlSignal> other = AlStreams.signals("fleet-b", b, true);
        List<AlSignal> mixed = new ArrayList<>();
        for (int i = 0; i < Math.max(signals.size(), other.size()); i++) {
            if (i < signals.size()) {
                mixed.add(signals.get(i));
            }
            if (i < other.size()) {
                mixed.add(other.get(i));
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // flush every record at once: with the default 100 ms buffer timeout a short bounded stream can reach the next
        // stage in one buffer after the previous stage has finished, and the stages would not overlap (a flake seen in CI)
        env.setBufferTimeout(0);
        DataStream<AlSignal> in = env.fromData(mixed, TypeInformation.of(AlSignal.class)).setParallelism(1);
        AlPipeline.Outputs out = AlPipeline.wire(in, settings, 0, "test-");
        CloseableIterator<AlPrediction> predictions = out.predictions().collectAsync();
        CloseableIterator<AlExport> exports = out.exports().collectAsync();
        env.execute("al-pipeline");

        List<AlExport> ex = drain(exports);
        List<AlPrediction> pr = drain(predictions);
        assertEquals(2 * AlStreams.DEPTH, ex.size(), "one export per stage and key");
        for (var key : List.of("fleet-a", "fleet-b")) {
            AlModel reference = AlStreams.reference(settings, key.equals("fleet-a") ? a : b);
            for (int l = 0; l < AlStreams.DEPTH; l++) {
                int c = l;
                AlExport e = ex.stream().filter(x -> x.key.equals(key) && x.component == c).findFirst().orElseThrow();
                assertEquals(key.equals("fleet-a") ? 40 : 30, e.step, key + " stage " + (l + 1) + " steps");
                assertArrayEquals(AlStreams.state(reference, l), e.state,
                        key + " stage " + (l + 1) + ": bit-identical to the synchronous trainer's component");
            }
        }

        assertEquals(70, pr.size(), "one prediction per PREDICT signal");
        pr.sort(Comparator.comparing((AlPrediction p) -> p.key).thenComparingLong(p -> p.seq));
        for (AlPrediction p : pr) {
            for (int l = 0; l < AlStreams.DEPTH; l++) {
                assertEquals(p.seq, p.encoderVersions[l], "f_" + (l + 1) + " had trained on the batches before " + p.seq);
                long d = p.decoderVersions[l];
                // a decoder may be newer than the encoders that fed it (pipelining), but it is always a published one
                assertTrue(d % 5 == 0 && d <= (p.key.equals("fleet-a") ? 40 : 30), "a published decoder version: " + d);
            }
            for (int i = 0; i < p.n; i++) {
                float sum = 0;
                for (int k = 0; k < AlStreams.CLASSES; k++) {
                    sum += p.probabilities[i * AlStreams.CLASSES + k];
                }
                assertEquals(1f, sum, 1e-5f);
            }
        }
        assertTrue(pr.stream().anyMatch(p -> p.decoderVersions[0] > 0), "published decoders were used");
        // each prediction is exactly what the synchronous model gives with those versions: f_l and b_L after
        // seq batches, h_l after decoderVersions[l] batches
        java.util.Map<Long, AlModel> trained = new java.util.HashMap<>();
        for (AlPrediction p : pr) {
            List<AlStreams.Batch> stream = p.key.equals("fleet-a") ? a : b;
            java.util.function.LongFunction<AlModel> after = k -> trained.computeIfAbsent(
                    (p.key.equals("fleet-a") ? 0 : 1_000_000L) + k, x -> AlStreams.reference(settings, stream.subList(0, (int) k)));
            AlModel enc = after.apply(p.seq);
            List<dev.tandem.learning.nn.Sequential> f = new ArrayList<>();
            List<dev.tandem.learning.nn.Sequential> h = new ArrayList<>();
            for (int l = 0; l < AlStreams.DEPTH; l++) {
                f.add(enc.component(l).encoder());
                h.add(after.apply(p.decoderVersions[l]).component(l).labelDecoder());
            }
            AlInference inf = new AlInference(f, enc.component(AlStreams.DEPTH - 1).bridge(), h);
            assertArrayEquals(inf.predictScores(stream.get((int) p.seq).x(), AlStreams.BATCH), p.scores, 1e-6f,
                    p.key + " prediction " + p.seq + " with decoders " + java.util.Arrays.toString(p.decoderVersions));
        }

        List<StageTimeline.Interval> t = StageTimeline.of(profile);
        long[] busy = StageTimeline.busyNanos(t, AlStreams.DEPTH);
        for (int l = 0; l < AlStreams.DEPTH; l++) {
            assertTrue(busy[l] > 0, "stage " + (l + 1) + " recorded its busy time");
        }
        assertTrue(StageTimeline.overlapNanos(t, AlStreams.DEPTH) > 0,
                "at some moment two stages were processing at once: " + StageTimeline.overlapNanos(t, AlStreams.DEPTH));
    }

    @Test
    void everyStageIsItsOwnTask() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<AlSignal> in = env.fromData(AlStreams.signals("k", AlStreams.batches(1, 1), false),
                TypeInformation.of(AlSignal.class));
        AlPipeline.wire(in, AlStreams.settings(1), 2, "").predictions().print();
        JobGraph graph = env.getStreamGraph().getJobGraph();
        List<String> names = new ArrayList<>();
        for (JobVertex v : graph.getVertices()) {
            names.add(v.getName());
        }
        for (int l = 0; l < AlStreams.DEPTH; l++) {
            String stage = AlPipeline.stageName(l);
            List<String> holding = names.stream().filter(n -> n.contains(stage)).toList();
            assertEquals(List.of(stage), holding, "stage " + (l + 1) + " is a task of its own, not chained: " + names);
        }
        // slot sharing groups: with 2 groups, stage 1 shares the default slot, stages 2 and 3 the second one
        assertEquals("default", AlPipeline.slotGroup(0, 3, 2));
        assertEquals("al-slot-1", AlPipeline.slotGroup(2, 3, 2));
        assertEquals("default", AlPipeline.slotGroup(2, 3, 1));
    }

    static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}
