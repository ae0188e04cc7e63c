package dev.tandem.operators.al;

import dev.tandem.operators.common.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * The AL stages in a job graph: L stage operators in a chain, each keyed by the model's key, then the decoder
 * operator reading the last stage's predictions and every stage's decoder snapshots (broadcast).
 * <pre>
 * signals → keyBy → stage 1 → keyBy → stage 2 → … → stage L → keyBy ─┐
 *                      └───────────┴─ decoder snapshots ─ broadcast ──┴→ decoders → predictions
 * </pre>
 * Each stage is its own task: the keyBy between stages is a network exchange, and chaining is disabled as well, so
 * Flink never fuses two stages into one thread; they pipeline through Flink's network buffers, stage l working on
 * batch k while stage l+1 works on batch k-1. With {@code slotGroups} = k ≥ 2 the stages are spread over k slot
 * sharing groups (stage l in group ⌊l·k/L⌋, group 0 being the default one shared with the source and the
 * decoders), so a cluster puts them in k slots, on different task managers when it has them; 0 or 1 leaves every
 * stage in the default group (one slot per parallel pipeline).
 */
public final class AlPipeline {
    /** The operators' uids are {@code prefix + "al-stage-" + l} (l = 1..L) and {@code prefix + "al-decoders"}. */
    public record Outputs(DataStream<AlPrediction> predictions, DataStream<AlExport> exports,
                          List<SingleOutputStreamOperator<AlSignal>> stages, DataStream<DeadLetter> faults) {
    }

    private AlPipeline() {
    }

    public static String stageName(int index) {
        return "al-stage-" + (index + 1);
    }

    public static String slotGroup(int index, int depth, int slotGroups) {
        int g = slotGroups <= 1 ? 0 : index * slotGroups / depth;
        return g == 0 ? "default" : "al-slot-" + g;
    }

    public static Outputs wire(DataStream<AlSignal> signals, AlStageSettings settings, int slotGroups, String uidPrefix) {
        List<SingleOutputStreamOperator<AlSignal>> stages = new ArrayList<>();
        DataStream<AlSignal> current = signals;
        DataStream<DecoderSnapshot> snapshots = null;
        DataStream<AlExport> exports = null;
        DataStream<DeadLetter> faults = null;
        for (int l = 0; l < settings.depth(); l++) {
            SingleOutputStreamOperator<AlSignal> stage = current
                    .keyBy(a -> a.key, Types.STRING)
                    .process(new AlStageFunction(settings, l))
                    .returns(TypeInformation.of(AlSignal.class))
                    .name(stageName(l)).uid(uidPrefix + stageName(l))
                    .disableChaining()
                    .slotSharingGroup(slotGroup(l, settings.depth(), slotGroups));
            stages.add(stage);
            DataStream<DecoderSnapshot> d = stage.getSideOutput(AlStageFunction.DECODERS);
            DataStream<AlExport> e = stage.getSideOutput(AlStageFunction.EXPORTS);
            snapshots = snapshots == null ? d : snapshots.union(d);
            exports = exports == null ? e : exports.union(e);
            DataStream<DeadLetter> f = stage.getSideOutput(AlStageFunction.FAULTS);
            faults = faults == null ? f : faults.union(f);
            current = stage;
        }
        DataStream<AlPrediction> predictions = current
                .keyBy(a -> a.key, Types.STRING)
                .connect(snapshots.broadcast(AlDecoderFunction.DESCRIPTOR))
                .process(new AlDecoderFunction(settings))
                .returns(TypeInformation.of(AlPrediction.class))
                .name("al-decoders").uid(uidPrefix + "al-decoders");
        return new Outputs(predictions, exports, stages, faults);
    }
}
