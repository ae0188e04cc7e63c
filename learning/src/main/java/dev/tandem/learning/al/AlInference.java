package dev.tandem.learning.al;

import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * AL inference: yhat = h_1(h_2(...h_L(b_L(f_L(...f_1(x)))))) — forward through every encoder, then only the last
 * bridge, then the decoders top to bottom. The intermediate bridges b_1..b_{L-1} are not part of it at all. Built
 * on a live model (sharing its networks) or from {@link PartSnapshot}s published by training stages.
 */
public final class AlInference {
    private final List<Sequential> encoders;
    private final Sequential bridge;
    private final List<Sequential> decoders;

    /** @param decoders h_1..h_L, in component order */
    public AlInference(List<Sequential> encoders, Sequential lastBridge, List<Sequential> decoders) {
        if (encoders.isEmpty() || encoders.size() != decoders.size() || lastBridge == null) {
            throw new IllegalArgumentException("AL inference needs L >= 1 encoders, L decoders and the last bridge; got "
                    + encoders.size() + " encoders, " + decoders.size() + " decoders");
        }
        this.encoders = List.copyOf(encoders);
        this.bridge = lastBridge;
        this.decoders = List.copyOf(decoders);
    }

    /** Inference on the model's own networks (not a copy: it sees later training). */
    public static AlInference of(AlModel model) {
        List<Sequential> f = new ArrayList<>();
        List<Sequential> h = new ArrayList<>();
        for (AlComponent c : model.components()) {
            f.add(c.encoder());
            h.add(c.labelDecoder());
        }
        return new AlInference(f, model.component(model.depth() - 1).bridge(), h);
    }

    /**
     * Inference from snapshots: the encoders f_1..f_L and decoders h_1..h_L in component order, and b_L.
     * Snapshots may be of different versions (stages publish independently).
     */
    public static AlInference fromSnapshots(List<PartSnapshot> encoders, PartSnapshot lastBridge,
                                            List<PartSnapshot> decoders, Backend backend) throws IOException {
        int depth = encoders.size();
        List<Sequential> f = new ArrayList<>();
        List<Sequential> h = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            f.add(require(encoders.get(i), i, Part.ENCODER).restore(backend));
        }
        for (int i = 0; i < decoders.size(); i++) {
            h.add(require(decoders.get(i), i, Part.LABEL_DECODER).restore(backend));
        }
        return new AlInference(f, require(lastBridge, depth - 1, Part.BRIDGE).restore(backend), h);
    }

    private static PartSnapshot require(PartSnapshot s, int component, Part part) {
        if (s == null || s.component() != component || s.part() != part) {
            throw new IllegalArgumentException("expected the " + part + " of component " + (component + 1) + ", got " + s);
        }
        return s;
    }

    /** The model's output h_1(...) for a batch, as a fresh tensor [N, targetWidth]. */
    public Tensor predict(Tensor x) {
        Tensor v = x;
        for (Sequential f : encoders) {
            v = f.forward(v, Pass.INFERENCE);
        }
        v = bridge.forward(v, Pass.INFERENCE);
        for (int i = decoders.size() - 1; i >= 0; i--) {
            v = decoders.get(i).forward(v, Pass.INFERENCE);
        }
        Tensor out = v.backend().zeros(v.dtype(), v.shape());
        v.backend().copy(v, out);
        return out;
    }

    /** Output scores for n examples (row-major host inputs), n × targetWidth. */
    public float[] predictScores(float[] inputs, int n) {
        Sequential first = encoders.get(0);
        return predict(HostBatch.tensor(first.backend(), first.dtype(), inputs, n, first.inputShape())).toFloatArray();
    }

    /** Predicted classes: the argmax of h_1's output (logits or sigmoid scores alike). */
    public int[] predictClasses(float[] inputs, int n) {
        return HostBatch.argmaxRows(predictScores(inputs, n), n, outputWidth());
    }

    public int outputWidth() {
        return decoders.get(0).outputShape()[0];
    }

    public int depth() {
        return encoders.size();
    }
}
