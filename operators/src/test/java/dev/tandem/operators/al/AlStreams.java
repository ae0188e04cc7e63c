package dev.tandem.operators.al;

import dev.tandem.learning.al.AlModel;
import dev.tandem.learning.al.AlTrainer;
import dev.tandem.learning.al.ComponentState;
import dev.tandem.learning.al.DecoderLoss;
import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.DType;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small AL pipelines and ordered signal streams for the stage tests, and the synchronous reference. */
final class AlStreams {
    static final int[] SHAPE = {12};
    static final int CLASSES = 3;
    static final int BATCH = 4;
    static final int DEPTH = 3;

    private AlStreams() {
    }

    static AlStageSettings settings(int snapshotEvery) {
        return new AlStageSettings(new AlMlpArchitecture(new int[] {10, 8, 6}, CLASSES, 5, DecoderLoss.MSE), DEPTH,
                "java", DType.FLOAT32, 7L, new AlOptimizerSettings("adam", 1e-2, 2e-2, 3L), snapshotEvery, null);
    }

    /** One labelled batch: x (BATCH × 12, the class shifts the mean) and one-hot y. */
    record Batch(float[] x, float[] y) {
    }

    static List<Batch> batches(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Batch> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            float[] x = new float[BATCH * SHAPE[0]];
            float[] y = new float[BATCH * CLASSES];
            for (int i = 0; i < BATCH; i++) {
                int k = r.nextInt(CLASSES);
                y[i * CLASSES + k] = 1;
                for (int j = 0; j < SHAPE[0]; j++) {
                    x[i * SHAPE[0] + j] = (float) (r.nextGaussian() + (j % CLASSES == k ? 1.5 : 0));
                }
            }
            out.add(new Batch(x, y));
        }
        return out;
    }

    /** For each batch: a PREDICT of its examples first (prequential), then the TRAIN; an EXPORT at the end. */
    static List<AlSignal> signals(String key, List<Batch> batches, boolean export) {
        List<AlSignal> out = new ArrayList<>();
        long seq = 0;
        for (Batch b : batches) {
            AlSignal p = AlSignal.predict(key, seq, SHAPE, b.x().clone(), BATCH, DEPTH);
            p.origin = "m-" + seq;
            p.time = 1000 + seq;
            out.add(p);
            out.add(AlSignal.train(key, seq++, SHAPE, b.x().clone(), b.y().clone(), BATCH));
        }
        if (export) {
            out.add(AlSignal.export(key, SHAPE));
        }
        return out;
    }

    /** The synchronous single-process trainer on the same batches, same order. */
    static AlModel reference(AlStageSettings s, List<Batch> batches) {
        AlModel m = AlModel.create(s.architecture(SHAPE), new JavaBackend(), s.dtype(), s.seed(), s.optimizers().build());
        AlTrainer t = new AlTrainer(m);
        for (Batch b : batches) {
            t.trainBatch(b.x(), b.y(), BATCH);
        }
        return m;
    }

    static byte[] state(AlModel m, int component) {
        return ComponentState.toBytes(m.component(component));
    }
}
