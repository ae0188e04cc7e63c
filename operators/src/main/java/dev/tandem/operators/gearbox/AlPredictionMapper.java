package dev.tandem.operators.gearbox;

import dev.tandem.operators.al.AlPrediction;
import org.apache.flink.api.common.functions.MapFunction;

import java.util.List;

/**
 * An AL prediction of one window as the gearbox job's {@link Prediction} record: the fleet's classes and
 * probabilities, the argmax decision, {@code model_version} = the step of component 1's encoder that saw the window
 * (its training batches so far), {@code encoder_versions} / {@code decoder_versions} = the step of every f_l and
 * the published version of every h_l used, and {@code model_hash} = those versions as text
 * ({@code al:f<v1>.<v2>…:h<v1>.<v2>…}): equal hashes mean the same networks, since a version names one state.
 */
public final class AlPredictionMapper implements MapFunction<AlPrediction, Prediction> {
    private final String[] classes;

    public AlPredictionMapper(List<String> classes) {
        this.classes = classes.toArray(new String[0]);
    }

    @Override
    public Prediction map(AlPrediction a) {
        if (a.n != 1 || a.probabilities.length != classes.length) {
            throw new IllegalArgumentException("an AL window prediction of " + a.n + " examples and "
                    + a.probabilities.length + " scores for " + classes.length + " classes");
        }
        Prediction p = new Prediction();
        p.time = a.time;
        p.machine = a.origin;
        p.fleet = a.key;
        p.classes = classes.clone();
        p.probabilities = a.probabilities.clone();
        int best = 0;
        for (int k = 1; k < classes.length; k++) {
            if (p.probabilities[k] > p.probabilities[best]) {
                best = k;
            }
        }
        p.decision = classes[best];
        p.confidence = p.probabilities[best];
        p.label = a.label;
        p.modelVersion = a.encoderVersions[0];
        p.encoderVersions = a.encoderVersions.clone();
        p.decoderVersions = a.decoderVersions.clone();
        p.modelHash = "al:f" + join(a.encoderVersions) + ":h" + join(a.decoderVersions);
        p.stage = "al";
        return p;
    }

    private static String join(long[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ".").append(v[i]);
        }
        return b.toString();
    }
}
