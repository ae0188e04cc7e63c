package dev.tandem.learning.al;

import dev.tandem.learning.nn.LayerSpec;

import java.util.List;

/**
 * What one AL component is made of: the layer specs of f_l, b_l, g_l and h_l, and the loss of its decoder. Plain
 * data; the shapes follow from the component's input (s_{l-1} per-example shape, t_{l-1} width) when it is built.
 * Empty lists are identity networks (used by the L = 1 equivalence test for g_1 and h_1).
 *
 * @param encoder      f_l: s_{l-1} → s_l
 * @param bridge       b_l: s_l → a vector of the width of t_l
 * @param labelEncoder g_l: t_{l-1} → t_l
 * @param labelDecoder h_l: t_l → t_{l-1} (its output width must be t_{l-1}'s)
 * @param decoderLoss  loss of h_l against t_{l-1}; {@link DecoderLoss#SOFTMAX_CROSS_ENTROPY} only for l = 1
 */
public record ComponentSpec(List<LayerSpec> encoder, List<LayerSpec> bridge, List<LayerSpec> labelEncoder,
                            List<LayerSpec> labelDecoder, DecoderLoss decoderLoss) {
    public ComponentSpec {
        LayerSpec.require(encoder != null, "al.encoder", encoder, "a list of layer specs");
        LayerSpec.require(bridge != null, "al.bridge", bridge, "a list of layer specs");
        LayerSpec.require(labelEncoder != null, "al.label_encoder", labelEncoder, "a list of layer specs");
        LayerSpec.require(labelDecoder != null, "al.label_decoder", labelDecoder, "a list of layer specs");
        LayerSpec.require(decoderLoss != null, "al.decoder_loss", decoderLoss, java.util.Arrays.toString(DecoderLoss.values()));
        encoder = List.copyOf(encoder);
        bridge = List.copyOf(bridge);
        labelEncoder = List.copyOf(labelEncoder);
        labelDecoder = List.copyOf(labelDecoder);
    }

    public List<LayerSpec> specs(Part part) {
        return switch (part) {
            case ENCODER -> encoder;
            case BRIDGE -> bridge;
            case LABEL_ENCODER -> labelEncoder;
            case LABEL_DECODER -> labelDecoder;
        };
    }
}
