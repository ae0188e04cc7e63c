package dev.tandem.operators.al;

import dev.tandem.learning.al.AlArchitecture;
import dev.tandem.learning.al.AlComponent;
import dev.tandem.learning.al.AlModel;
import dev.tandem.learning.al.DecoderLoss;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.nn.Pass;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.learning.tensor.Tensor;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The decoder operator: prediction needs h_L … h_1, which live in the other stages. Stages publish decoder
 * snapshots ({@link DecoderSnapshot}) every N updates; they arrive here as broadcast state (the newest version per
 * key and component), so every parallel instance holds every decoder. A PREDICT signal from the last stage carries
 * b_L(f_L(…f_1(x))); it is decoded down h_L … h_1 and leaves as an {@link AlPrediction} naming the decoder
 * versions it used. A decoder not yet published is the component's initial one (version 0), built from the
 * architecture and seed exactly as the stage built it, so predictions never wait.
 *
 * <p>The live decoders are a cache rebuilt from the broadcast state (checkpointed by Flink) when a version moves.
 */
public final class AlDecoderFunction extends KeyedBroadcastProcessFunction<String, AlSignal, DecoderSnapshot, AlPrediction> {
    public static final MapStateDescriptor<String, DecoderSnapshot> DESCRIPTOR = new MapStateDescriptor<>(
            "al-decoder-snapshots", Types.STRING, TypeInformation.of(DecoderSnapshot.class));
    private final AlStageSettings settings;
    private transient Backend backend;
    private transient Map<String, Decoders> cache;

    /** A key's live decoders and their versions. */
    private static final class Decoders {
        final Sequential[] nets;
        final long[] versions;
        final boolean crossEntropy;

        Decoders(int depth, boolean crossEntropy) {
            nets = new Sequential[depth];
            versions = new long[depth];
            this.crossEntropy = crossEntropy;
        }
    }

    public AlDecoderFunction(AlStageSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        backend = Backends.choose(settings.backend()).backend();
        cache = new HashMap<>();
    }

    @Override
    public void processBroadcastElement(DecoderSnapshot d, Context ctx, Collector<AlPrediction> out) throws Exception {
        BroadcastState<String, DecoderSnapshot> s = ctx.getBroadcastState(DESCRIPTOR);
        String id = DecoderSnapshot.id(d.key, d.component);
        DecoderSnapshot old = s.get(id);
        if (old == null || old.version < d.version) {
            s.put(id, d);
        }
    }

    @Override
    public void processElement(AlSignal a, ReadOnlyContext ctx, Collector<AlPrediction> out) throws Exception {
        if (a.kind != AlSignal.PREDICT) {
            return;
        }
        Decoders d = decoders(a, ctx.getBroadcastState(DESCRIPTOR));
        int depth = settings.depth();
        Tensor v = HostTensors.tensor(backend, settings.dtype(), a.s, a.n, d.nets[depth - 1].inputShape());
        for (int l = depth - 1; l >= 0; l--) {
            v = d.nets[l].forward(v, Pass.INFERENCE);
        }
        AlPrediction p = new AlPrediction();
        p.key = a.key;
        p.seq = a.seq;
        p.n = a.n;
        p.time = a.time;
        p.origin = a.origin;
        p.label = a.label;
        p.scores = v.toFloatArray();
        p.probabilities = probabilities(p.scores, a.n, d.crossEntropy);
        p.encoderVersions = a.versions.clone();
        p.decoderVersions = d.versions.clone();
        out.collect(p);
    }

    private Decoders decoders(AlSignal a, ReadOnlyBroadcastState<String, DecoderSnapshot> published) throws Exception {
        Decoders d = cache.get(a.key);
        AlArchitecture arch = null;
        if (d == null) {
            arch = settings.architecture(a.inputShape);
            d = new Decoders(settings.depth(), arch.components().get(0).decoderLoss() == DecoderLoss.SOFTMAX_CROSS_ENTROPY);
            cache.put(a.key, d);
        }
        for (int l = 0; l < settings.depth(); l++) {
            DecoderSnapshot s = published.get(DecoderSnapshot.id(a.key, l));
            long version = s == null ? 0 : s.version;
            if (d.nets[l] != null && d.versions[l] == version) {
                continue;
            }
            if (s == null) {
                if (arch == null) {
                    arch = settings.architecture(a.inputShape);
                }
                AlComponent fresh = AlModel.createComponent(arch, l, backend, settings.dtype(), settings.seed(),
                        settings.optimizers().build());
                d.nets[l] = fresh.labelDecoder();
            } else {
                d.nets[l] = restore(s.model);
            }
            d.versions[l] = version;
        }
        return d;
    }

    private Sequential restore(byte[] model) {
        try {
            return ModelCodec.read(new ByteArrayInputStream(model), backend).model();
        } catch (IOException e) {
            throw new IllegalStateException("a published decoder cannot be read", e);
        }
    }

    /** Softmax of logits per row, or non-negative scores normalised to sum 1 (uniform when all are 0). */
    static float[] probabilities(float[] scores, int n, boolean logits) {
        int k = scores.length / n;
        float[] p = new float[scores.length];
        for (int i = 0; i < n; i++) {
            int o = i * k;
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, scores[o + j]);
            }
            for (int j = 0; j < k; j++) {
                double e = logits ? Math.exp(scores[o + j] - max) : Math.max(0, scores[o + j]);
                p[o + j] = (float) e;
                sum += e;
            }
            for (int j = 0; j < k; j++) {
                p[o + j] = sum > 0 ? (float) (p[o + j] / sum) : 1f / k;
            }
        }
        return p;
    }
}
