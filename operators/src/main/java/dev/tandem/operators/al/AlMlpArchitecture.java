package dev.tandem.operators.al;

import dev.tandem.learning.al.AlArchitecture;
import dev.tandem.learning.al.AlNets;
import dev.tandem.learning.al.DecoderLoss;

/**
 * An AL MLP, one component per hidden layer (dense → ELU; {@link AlNets#mlp}), for inputs of any shape: what
 * {@code bench w6} and the pipeline tests run.
 */
public record AlMlpArchitecture(int[] hidden, int classes, int labelWidth, DecoderLoss firstDecoderLoss)
        implements AlArchitectureFactory {
    public AlMlpArchitecture {
        hidden = hidden.clone();
    }

    @Override
    public AlArchitecture build(int[] inputShape) {
        return AlNets.mlp(inputShape, hidden, classes, AlNets.Options.defaults(labelWidth).withFirstDecoderLoss(firstDecoderLoss));
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }
}
