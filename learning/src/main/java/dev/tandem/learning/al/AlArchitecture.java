package dev.tandem.learning.al;

import dev.tandem.learning.nn.LayerSpec;

import java.util.List;

/**
 * An AL network as plain data: the per-example input shape (s_0 = x), the width of t_0 (the class count, y
 * one-hot; or the regression target's width), and the L components in order. {@link AlNets} builds the standard
 * ones.
 */
public record AlArchitecture(int[] inputShape, int targetWidth, List<ComponentSpec> components, AlInit init) {
    public AlArchitecture {
        LayerSpec.require(inputShape != null && inputShape.length >= 1, "al.input_shape", inputShape, "a shape");
        LayerSpec.require(targetWidth >= 1, "al.target_width", targetWidth, ">= 1");
        LayerSpec.require(components != null && !components.isEmpty(), "al.components", components, ">= 1 component");
        LayerSpec.require(init != null, "al.init", init, java.util.Arrays.toString(AlInit.values()));
        inputShape = inputShape.clone();
        components = List.copyOf(components);
        for (int i = 1; i < components.size(); i++) {
            LayerSpec.require(components.get(i).decoderLoss() == DecoderLoss.MSE, "al.decoder_loss[" + (i + 1) + "]",
                    components.get(i).decoderLoss(), "MSE (cross-entropy only for component 1, whose target is y)");
        }
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    public int depth() {
        return components.size();
    }
}
