package dev.tandem.learning.al;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.BatchNorm;
import dev.tandem.learning.nn.Conv1d;
import dev.tandem.learning.nn.Conv2d;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Dropout;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.MaxPool;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * The standard AL networks. Every component has the reference code's parts: its encoder f_l (a dense layer with
 * ELU, or a convolution block), a bridge b_l and label networks g_l, h_l of one dense layer each with sigmoid; the
 * label embedding width is the same in every component. The first decoder h_1 maps back to y: sigmoid scores
 * against one-hot y with MSE, or logits with {@link DecoderLoss#SOFTMAX_CROSS_ENTROPY}.
 *
 * <p>DESIGN (the papers' CNN bridges could not be read): a convolutional bridge is [max-pool p] → flatten →
 * dense → sigmoid, with the smallest pool window p that brings the flattened input to at most
 * {@link #DEFAULT_BRIDGE_INPUT} values, so bridges stay small next to the encoders they read.
 */
public final class AlNets {
    /** Label embedding widths of the reference code: MNIST MLP, CNN, and the ICLR 2022 models. */
    public static final int LABEL_WIDTH_MLP = 1024;
    public static final int LABEL_WIDTH_CNN = 256;
    public static final int LABEL_WIDTH_ICLR = 128;
    /** Most inputs a convolutional bridge's dense layer reads (after its pool). */
    public static final int DEFAULT_BRIDGE_INPUT = 1024;

    /** The decoder of component 1 and the label activation; MSE with sigmoid scores is the reference's. */
    /**
     * @param adaptiveSlopes 0: plain encoder activations; n ≥ 1: every encoder activation neuron-wise adaptive with
     *                       scale n (N-LAAF, ALGORITHMS.md §3; the "adam+n-laaf" method uses n = 10)
     */
    public record Options(int labelWidth, DecoderLoss firstDecoderLoss, Activation labelActivation, int bridgeInput,
                          AlInit init, double adaptiveSlopes) {
        public Options {
            LayerSpec.require(labelWidth >= 1, "al.label_width", labelWidth, ">= 1");
            LayerSpec.require(firstDecoderLoss != null, "al.first_decoder_loss", firstDecoderLoss,
                    java.util.Arrays.toString(DecoderLoss.values()));
            LayerSpec.require(labelActivation != null, "al.label_activation", labelActivation,
                    java.util.Arrays.toString(Activation.values()));
            LayerSpec.require(bridgeInput >= 1, "al.bridge_input", bridgeInput, ">= 1");
            LayerSpec.require(init != null, "al.init", init, java.util.Arrays.toString(AlInit.values()));
            LayerSpec.require(adaptiveSlopes == 0 || adaptiveSlopes >= 1 && Double.isFinite(adaptiveSlopes),
                    "al.adaptive_slopes", adaptiveSlopes, "0 (off) or >= 1");
        }

        public Options(int labelWidth, DecoderLoss firstDecoderLoss, Activation labelActivation, int bridgeInput,
                       AlInit init) {
            this(labelWidth, firstDecoderLoss, labelActivation, bridgeInput, init, 0);
        }

        public static Options defaults(int labelWidth) {
            return new Options(labelWidth, DecoderLoss.MSE, Activation.SIGMOID, DEFAULT_BRIDGE_INPUT, AlInit.HE_NORMAL);
        }

        public Options withFirstDecoderLoss(DecoderLoss loss) {
            return new Options(labelWidth, loss, labelActivation, bridgeInput, init, adaptiveSlopes);
        }

        /** Encoders with neuron-wise adaptive activations of scale n (the "adam+n-laaf" method: n = 10). */
        public Options withAdaptiveEncoders(double n) {
            return new Options(labelWidth, firstDecoderLoss, labelActivation, bridgeInput, init, n);
        }
    }

    private AlNets() {
    }

    /** An MLP: one component per hidden layer (dense → ELU), for inputs of any shape (flattened). */
    public static AlArchitecture mlp(int[] inputShape, int[] hidden, int classes, Options o) {
        LayerSpec.require(hidden.length >= 1, "al.hidden", hidden.length, ">= 1 layer");
        List<List<LayerSpec>> encoders = new ArrayList<>();
        for (int h : hidden) {
            encoders.add(List.of(new Dense.Spec(h), new ActivationLayer.Spec(Activation.ELU)));
        }
        return assemble(inputShape, classes, encoders, o);
    }

    /**
     * The image-recognition toolkit CNN of ALGORITHMS.md §6 as three components: its two convolution blocks
     * (BN → conv 5×5 same → ReLU → maxpool 2) and its hidden dense layer (flatten → dropout 0.5 → FC 512 → ReLU);
     * its last layer, FC classes, is what b_3 and the decoders replace.
     */
    public static AlArchitecture toolkitCnn(int classes, Options o) {
        List<List<LayerSpec>> encoders = List.of(
                List.of(BatchNorm.Spec.defaults(), Conv2d.Spec.same(32, 5), ActivationLayer.relu(), MaxPool.Spec.square(2)),
                List.of(BatchNorm.Spec.defaults(), Conv2d.Spec.same(64, 5), ActivationLayer.relu(), MaxPool.Spec.square(2)),
                List.of(new Flatten.Spec(), new Dropout.Spec(0.5), new Dense.Spec(512), ActivationLayer.relu()));
        return assemble(new int[] {1, 28, 28}, classes, encoders, o);
    }

    /** The gearbox widths: ALGORITHMS.md's default base network (after WDCNN). */
    public record GearboxShape(int firstFilters, int firstKernel, int firstStride, int[] filters, int kernel, int hidden) {
        public static final GearboxShape DEFAULT = new GearboxShape(16, 64, 16, new int[] {32, 64, 64, 64}, 3, 100);

        public GearboxShape {
            LayerSpec.require(firstFilters >= 1, "gearbox.first_filters", firstFilters, ">= 1");
            LayerSpec.require(firstKernel >= 1, "gearbox.first_kernel", firstKernel, ">= 1");
            LayerSpec.require(firstStride >= 1, "gearbox.first_stride", firstStride, ">= 1");
            LayerSpec.require(filters != null && filters.length >= 1, "gearbox.filters", filters, "one or more blocks");
            LayerSpec.require(kernel >= 1, "gearbox.kernel", kernel, ">= 1");
            LayerSpec.require(hidden >= 1, "gearbox.hidden", hidden, ">= 1");
            filters = filters.clone();
        }

        @Override
        public int[] filters() {
            return filters.clone();
        }
    }

    /**
     * The default gearbox base network as AL components: each of its five convolution blocks (conv → BN → ReLU →
     * maxpool 2; the first conv 16 × 64 stride 16 same, then width-3 convs, the last one valid) is a component,
     * and so is its hidden layer (flatten → FC 100 → ReLU); its FC classes is replaced by b_6 and the decoders.
     */
    public static AlArchitecture gearboxCnn(GearboxShape s, int channels, int window, int classes, Options o) {
        LayerSpec.require(channels >= 1, "gearbox.channels", channels, ">= 1");
        LayerSpec.require(classes >= 2, "gearbox.classes", classes, ">= 2");
        List<List<LayerSpec>> encoders = new ArrayList<>();
        encoders.add(convBlock(new Conv1d.Spec(s.firstFilters(), s.firstKernel(), s.firstStride(), Padding.SAME)));
        for (int i = 0; i < s.filters().length; i++) {
            boolean last = i == s.filters().length - 1;
            encoders.add(convBlock(new Conv1d.Spec(s.filters()[i], s.kernel(), 1, last ? Padding.VALID : Padding.SAME)));
        }
        encoders.add(List.of(new Flatten.Spec(), new Dense.Spec(s.hidden()), ActivationLayer.relu()));
        try {
            return assemble(new int[] {channels, window}, classes, encoders, o);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("window = " + window + " samples does not fit the gearbox AL network ("
                    + e.getMessage() + "); the default network needs >= 1009", e);
        }
    }

    private static List<LayerSpec> convBlock(Conv1d.Spec conv) {
        return List.of(conv, BatchNorm.Spec.defaults(), ActivationLayer.relu(), MaxPool.Spec.of1d(2));
    }

    /** Components from encoders: bridges, label encoders and decoders added by the rules above. */
    public static AlArchitecture assemble(int[] inputShape, int classes, List<List<LayerSpec>> encoders, Options o) {
        List<ComponentSpec> out = new ArrayList<>();
        int[] shape = inputShape.clone();
        int labelIn = classes;
        for (int i = 0; i < encoders.size(); i++) {
            List<LayerSpec> f = o.adaptiveSlopes() > 0 ? adaptive(encoders.get(i), o.adaptiveSlopes()) : encoders.get(i);
            shape = outputShape(shape, f);
            List<LayerSpec> bridge = new ArrayList<>(bridgePool(shape, o.bridgeInput()));
            if (shape.length > 1) {
                bridge.add(new Flatten.Spec());
            }
            bridge.add(new Dense.Spec(o.labelWidth()));
            bridge.add(new ActivationLayer.Spec(o.labelActivation()));
            List<LayerSpec> g = List.of(new Dense.Spec(o.labelWidth()), new ActivationLayer.Spec(o.labelActivation()));
            List<LayerSpec> h = new ArrayList<>();
            h.add(new Dense.Spec(labelIn));
            DecoderLoss loss = i == 0 ? o.firstDecoderLoss() : DecoderLoss.MSE;
            if (i > 0 || loss == DecoderLoss.MSE) {
                // t_{l-1} is a sigmoid embedding, and y one-hot; cross-entropy's h_1 outputs logits instead
                h.add(new ActivationLayer.Spec(i == 0 ? Activation.SIGMOID : o.labelActivation()));
            }
            out.add(new ComponentSpec(f, bridge, g, h, loss));
            labelIn = o.labelWidth();
        }
        return new AlArchitecture(inputShape, classes, out, o.init());
    }

    private static List<LayerSpec> adaptive(List<LayerSpec> specs, double n) {
        List<LayerSpec> out = new ArrayList<>();
        for (LayerSpec s : specs) {
            out.add(s instanceof ActivationLayer.Spec a
                    ? dev.tandem.learning.nn.AdaptiveActivation.Spec.neuronWise(a.function(), n) : s);
        }
        return out;
    }

    /** A max-pool before a convolutional bridge's flatten, or nothing (see the class comment). */
    static List<LayerSpec> bridgePool(int[] shape, int maxInputs) {
        if (shape.length < 2 || Shapes.size(shape) <= maxInputs) {
            return List.of();
        }
        for (int p = 2; ; p++) {
            long n = shape[0];
            for (int d = 1; d < shape.length; d++) {
                n *= shape[d] / p;
            }
            boolean fits = true;
            for (int d = 1; d < shape.length; d++) {
                fits &= shape[d] / p >= 1;
            }
            if (!fits) {
                throw new IllegalArgumentException("a bridge cannot pool " + java.util.Arrays.toString(shape)
                        + " down to " + maxInputs + " inputs; raise al.bridge_input");
            }
            if (n <= maxInputs) {
                return List.of(shape.length == 3 ? MaxPool.Spec.square(p) : MaxPool.Spec.of1d(p));
            }
        }
    }

    /** Per-example output shape of a layer stack (built once on the Java backend; the weights are thrown away). */
    static int[] outputShape(int[] inputShape, List<LayerSpec> specs) {
        return new Sequential(new JavaBackend(), DType.FLOAT32, inputShape, specs, 0).outputShape();
    }
}
