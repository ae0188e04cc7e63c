package dev.tandem.operators.gearbox;

import dev.tandem.models.gearbox.Windowing;
import dev.tandem.operators.al.AlSignal;
import dev.tandem.operators.al.AlStageSettings;
import dev.tandem.operators.common.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The head of the AL pipeline of a fleet ({@code gearbox.training.mode = associated}), keyed by fleet: every window
 * becomes a PREDICT signal first (prequential: predicted by the model before it learns from it); labelled windows
 * are collected, and each full mini-batch of {@code gearbox.batch} becomes one TRAIN signal, (x, one-hot y) =
 * (s_0, t_0) of stage 1. Windows are normalised per channel when configured, as in backprop mode. A window whose
 * shape differs from the fleet's model, that the network cannot take, or with an unknown label goes to
 * {@link #MISFITS} as a dead letter.
 */
public final class AlWindowBatcher extends KeyedProcessFunction<String, VibrationWindow, AlSignal> {
    public static final OutputTag<DeadLetter> MISFITS = new OutputTag<>("al-misfits") {
    };
    private final AlFleetSettings settings;
    private transient AlStageSettings stages;
    private transient ValueState<AlBatchState> state;

    public AlWindowBatcher(AlFleetSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        stages = settings.stageSettings();
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("al-batch", TypeInformation.of(AlBatchState.class)));
    }

    @Override
    public void processElement(VibrationWindow w, Context ctx, Collector<AlSignal> out) throws Exception {
        AlBatchState st = state.value();
        int c = w.channelCount();
        int n = w.length();
        String misfit = null;
        if (st == null) {
            try {
                stages.architecture(new int[] {c, n});
                st = new AlBatchState();
                st.channels = c;
                st.length = n;
                st.inputs = new float[settings.batch() * c * n];
                st.labels = new int[settings.batch()];
            } catch (IllegalArgumentException e) {
                misfit = "cannot build fleet '" + w.fleet + "' AL model for a " + c + "x" + n + " window: " + e.getMessage();
            }
        } else if (st.channels != c || st.length != n) {
            misfit = "window shape " + c + "x" + n + " differs from fleet '" + w.fleet + "' model's " + st.channels + "x"
                    + st.length;
        }
        int y = w.label == null ? -1 : settings.classes().indexOf(w.label);
        if (misfit == null && w.label != null && y < 0) {
            misfit = "unknown label '" + w.label + "'; classes: " + String.join(", ", settings.classes());
        }
        if (misfit != null) {
            ctx.output(MISFITS, new DeadLetter(w.sourceTopic == null ? "trainer" : w.sourceTopic, w.sourcePartition,
                    w.sourceOffset, misfit, w.toString(),
                    ctx.timerService().currentProcessingTime()));
            return;
        }
        float[] x = w.samples();
        if (settings.normalize()) {
            Windowing.normalise(x, 0, c, n);
        }
        int[] shape = {c, n};
        AlSignal p = AlSignal.predict(w.fleet, st.windows++, shape, x, 1, stages.depth());
        p.time = w.time;
        p.origin = w.machine;
        p.label = w.label;
        out.collect(p);
        if (y >= 0) {
            System.arraycopy(x, 0, st.inputs, st.count * x.length, x.length);
            st.labels[st.count++] = y;
            if (st.count == settings.batch()) {
                int k = settings.classes().size();
                float[] t = new float[st.count * k];
                for (int i = 0; i < st.count; i++) {
                    t[i * k + st.labels[i]] = 1f;
                }
                AlSignal train = AlSignal.train(w.fleet, st.batches++, shape, st.inputs.clone(), t, st.count);
                train.time = w.time;
                out.collect(train);
                st.count = 0;
            }
        }
        state.update(st);
    }
}
