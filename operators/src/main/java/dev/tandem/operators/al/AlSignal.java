package dev.tandem.operators.al;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;

/**
 * What flows between AL stages for one model key (the fleet): stage l receives {@code (key, s_{l-1}, t_{l-1})} and
 * sends {@code (key, s_l, t_l)}. Public fields; Flink moves it with {@link AlSignalSerializer} (its
 * {@code @TypeInfo}), which writes the float payloads in bulk (no Kryo).
 * <ul>
 *   <li>{@link #TRAIN}: a labelled mini-batch of {@link #n} examples, {@link #s} row-major n × per-example shape,
 *       {@link #t} n × label width (t_0 = one-hot y). Every stage takes one step of its two local losses.</li>
 *   <li>{@link #PREDICT}: one or more unlabelled (or not-yet-learned) examples, {@link #t} null: it flows through the
 *       encoders f_l only; the last stage adds b_L(s_L), and the decoder operator decodes it. {@link #versions}
 *       collects the step of every stage's encoder it went through.</li>
 *   <li>{@link #EXPORT}: a control signal at the end of a test or benchmark stream: every stage emits its whole
 *       component state ({@code AlStageFunction.EXPORTS}) and forwards the signal.</li>
 * </ul>
 * {@link #inputShape} is the per-example shape of x (s_0), so that any stage can build its component from the
 * architecture alone when a key's first signal arrives.
 */
@TypeInfo(AlSignalTypeInfo.Factory.class)
public class AlSignal {
    public static final int TRAIN = 0;
    public static final int PREDICT = 1;
    public static final int EXPORT = 2;

    public String key;
    public int kind;
    /** Position of the signal in its key's stream (windows for PREDICT, batches for TRAIN), set by the source. */
    public long seq;
    public int n;
    public int[] inputShape;
    public float[] s;
    public float[] t;
    /** PREDICT: the encoder version (step) of each stage passed so far, index = component. */
    public long[] versions;
    /** What the prediction is about, carried to the output untouched: event time, origin (machine), true label. */
    public long time;
    public String origin;
    public String label;

    public AlSignal() {
    }

    public static AlSignal train(String key, long seq, int[] inputShape, float[] x, float[] y, int n) {
        AlSignal a = of(key, TRAIN, seq, inputShape, x, n);
        a.t = y;
        return a;
    }

    public static AlSignal predict(String key, long seq, int[] inputShape, float[] x, int n, int depth) {
        AlSignal a = of(key, PREDICT, seq, inputShape, x, n);
        a.versions = new long[depth];
        return a;
    }

    public static AlSignal export(String key, int[] inputShape) {
        return of(key, EXPORT, -1, inputShape, new float[0], 0);
    }

    private static AlSignal of(String key, int kind, long seq, int[] inputShape, float[] x, int n) {
        AlSignal a = new AlSignal();
        a.key = key;
        a.kind = kind;
        a.seq = seq;
        a.inputShape = inputShape.clone();
        a.s = x;
        a.n = n;
        return a;
    }

    /** The same signal's metadata with new payloads (what a stage sends on). */
    AlSignal next(float[] s, float[] t) {
        AlSignal a = new AlSignal();
        a.key = key;
        a.kind = kind;
        a.seq = seq;
        a.n = n;
        a.inputShape = inputShape;
        a.s = s;
        a.t = t;
        a.versions = versions == null ? null : versions.clone();
        a.time = time;
        a.origin = origin;
        a.label = label;
        return a;
    }

    @Override
    public String toString() {
        return "AlSignal{" + key + " " + (kind == TRAIN ? "train" : kind == PREDICT ? "predict" : "export") + " #" + seq
                + " n=" + n + " shape=" + Arrays.toString(inputShape) + "}";
    }
}
