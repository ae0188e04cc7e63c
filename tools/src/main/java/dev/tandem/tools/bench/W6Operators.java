package dev.tandem.tools.bench;

import dev.tandem.learning.al.AlArchitecture;
import dev.tandem.learning.al.AlModel;
import dev.tandem.learning.al.StepResult;
import dev.tandem.learning.tensor.Shapes;
import dev.tandem.learning.tensor.Tensor;
import dev.tandem.learning.al.BackpropBaseline;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.learning.train.ClassifierTrainer;
import dev.tandem.operators.al.AlSignal;
import dev.tandem.operators.al.AlStageSettings;
import dev.tandem.operators.al.StageTimeline;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The two one-operator trainers W6 compares the AL stages with, fed the same TRAIN signals: the parameter-matched
 * backprop model in one operator, and (for the profile) the whole AL model trained synchronously in one operator.
 * The model lives in the operator instance (one key, a benchmark): no keyed state, nothing checkpointed. Both
 * record their busy intervals as stage 0 of their profile.
 */
final class W6Operators {
    private W6Operators() {
    }

    /** Backprop of the parameter-matched baseline of the AL model (cross-entropy, Adam). */
    static final class Backprop extends KeyedProcessFunction<String, AlSignal, AlSignal> {
        private final AlStageSettings settings;
        private final double lr;
        private transient ClassifierTrainer trainer;
        private transient int classes;

        Backprop(AlStageSettings settings, double lr) {
            this.settings = settings;
            this.lr = lr;
        }

        @Override
        public void open(OpenContext c) {
        }

        @Override
        public void processElement(AlSignal a, Context ctx, Collector<AlSignal> out) {
            long start = System.nanoTime();
            long cpu = StageTimeline.threadCpuNanos();
            if (trainer == null) {
                Backend b = Backends.choose(settings.backend()).backend();
                AlArchitecture arch = settings.architecture(a.inputShape);
                AlModel al = AlModel.create(arch, b, settings.dtype(), settings.seed(), settings.optimizers().build());
                trainer = new ClassifierTrainer(BackpropBaseline.matching(al, arch.init(), Activation.RELU,
                        settings.seed()).network(), new Adam(lr));
                classes = arch.targetWidth();
            }
            if (a.kind == AlSignal.TRAIN) {
                trainer.trainBatch(a.s, labels(a.t, a.n, classes), a.n);
            }
            StageTimeline.record(settings.profile(), 0, a.kind, start, System.nanoTime(),
                    StageTimeline.threadCpuNanos() - cpu);
        }
    }

    /**
     * All L components in one operator, one after another, as the synchronous trainer runs them; each component's
     * step is recorded as stage l of the profile, so this run also measures every component's cost without the
     * other stages competing for the cores (the slot model's t_l).
     */
    static final class Synchronous extends KeyedProcessFunction<String, AlSignal, AlSignal> {
        private final AlStageSettings settings;
        private transient AlModel model;
        private transient Backend backend;

        Synchronous(AlStageSettings settings) {
            this.settings = settings;
        }

        @Override
        public void processElement(AlSignal a, Context ctx, Collector<AlSignal> out) {
            if (model == null) {
                backend = Backends.choose(settings.backend()).backend();
                model = AlModel.create(settings.architecture(a.inputShape), backend, settings.dtype(), settings.seed(),
                        settings.optimizers().build());
            }
            Tensor s = backend.fromHost(a.s, Shapes.prepend(a.n, a.inputShape));
            Tensor t = backend.fromHost(a.t, a.n, model.targetWidth());
            for (int l = 0; l < model.depth(); l++) {
                long start = System.nanoTime();
                long cpu = StageTimeline.threadCpuNanos();
                StepResult r = model.component(l).trainStep(s, t);
                s = r.s();
                t = r.t();
                StageTimeline.record(settings.profile(), l, a.kind, start, System.nanoTime(),
                        StageTimeline.threadCpuNanos() - cpu);
            }
        }
    }

    static int[] labels(float[] oneHot, int n, int k) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                if (oneHot[i * k + j] > 0.5f) {
                    y[i] = j;
                }
            }
        }
        return y;
    }
}
