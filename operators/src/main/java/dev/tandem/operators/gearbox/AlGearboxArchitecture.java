package dev.tandem.operators.gearbox;

import dev.tandem.learning.al.AlArchitecture;
import dev.tandem.learning.al.AlNets;
import dev.tandem.learning.al.DecoderLoss;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.operators.al.AlArchitectureFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The gearbox base network as L AL components ({@code gearbox.al.components}): its six encoder blocks (five
 * convolution blocks and the hidden layer, {@link AlNets#gearboxCnn}) cut into L contiguous groups, the first
 * {@code 6 mod L} groups one block longer; each group gets its bridge and label networks by the rules of
 * {@link AlNets#assemble}. L = 6 is one component per block, L = 1 the whole encoder as one component.
 */
public record AlGearboxArchitecture(int classes, int components, int labelWidth, DecoderLoss firstDecoderLoss,
                                    double adaptiveSlopes) implements AlArchitectureFactory {
    public static final int BLOCKS = 6;

    public AlGearboxArchitecture {
        if (components < 1 || components > BLOCKS) {
            throw new IllegalArgumentException("invalid value '" + components
                    + "' for configuration key gearbox.al.components; allowed: an integer in [1, " + BLOCKS
                    + "] (the gearbox network has " + BLOCKS + " blocks)");
        }
    }

    @Override
    public AlArchitecture build(int[] inputShape) {
        if (inputShape.length != 2) {
            throw new IllegalArgumentException("a gearbox window is channels x samples, got " + inputShape.length + " dimensions");
        }
        AlNets.Options o = AlNets.Options.defaults(labelWidth).withFirstDecoderLoss(firstDecoderLoss);
        AlArchitecture six = AlNets.gearboxCnn(AlNets.GearboxShape.DEFAULT, inputShape[0], inputShape[1], classes, o);
        List<List<LayerSpec>> groups = new ArrayList<>();
        int next = 0;
        for (int g = 0; g < components; g++) {
            int size = BLOCKS / components + (g < BLOCKS % components ? 1 : 0);
            List<LayerSpec> group = new ArrayList<>();
            for (int b = 0; b < size; b++) {
                group.addAll(six.components().get(next++).encoder());
            }
            groups.add(group);
        }
        AlNets.Options withSlopes = adaptiveSlopes > 0 ? o.withAdaptiveEncoders(adaptiveSlopes) : o;
        return AlNets.assemble(inputShape, classes, groups, withSlopes);
    }
}
