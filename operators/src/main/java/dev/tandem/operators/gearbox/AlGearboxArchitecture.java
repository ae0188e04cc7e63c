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
 * convolution blocks and the hidden layer, {@link AlNets#gearboxCnn}) cut into L contiguous groups — by default the
 * first {@code 6 mod L} groups one block longer, or given sizes ({@code gearbox.al.blocks}; {@code bench w6} balances
 * them by measured cost, {@link #balancedGroups}); each group gets its bridge and label networks by the rules of
 * {@link AlNets#assemble}. L = 6 is one component per block, L = 1 the whole encoder as one component.
 */
public record AlGearboxArchitecture(int classes, int components, int labelWidth, DecoderLoss firstDecoderLoss,
                                    double adaptiveSlopes, int[] groups) implements AlArchitectureFactory {
    public static final int BLOCKS = 6;

    /** The even cut: {@code components} groups, the first {@code 6 mod L} one block longer. */
    public AlGearboxArchitecture(int classes, int components, int labelWidth, DecoderLoss firstDecoderLoss,
                                 double adaptiveSlopes) {
        this(classes, components, labelWidth, firstDecoderLoss, adaptiveSlopes, evenGroups(components));
    }

    /** @param groups blocks per component, in order, summing to 6 (e.g. a cut balanced by measured block costs) */
    public AlGearboxArchitecture {
        if (components < 1 || components > BLOCKS) {
            throw new IllegalArgumentException("invalid value '" + components
                    + "' for configuration key gearbox.al.components; allowed: an integer in [1, " + BLOCKS
                    + "] (the gearbox network has " + BLOCKS + " blocks)");
        }
        groups = groups.clone();
        int sum = 0;
        for (int g : groups) {
            if (g < 1) {
                throw new IllegalArgumentException("a component needs at least one block: " + java.util.Arrays.toString(groups));
            }
            sum += g;
        }
        if (groups.length != components || sum != BLOCKS) {
            throw new IllegalArgumentException("block groups " + java.util.Arrays.toString(groups) + " must be "
                    + components + " positive sizes summing to " + BLOCKS);
        }
    }

    static int[] evenGroups(int components) {
        if (components < 1 || components > BLOCKS) {
            return new int[] {components}; // the canonical constructor names the key
        }
        int[] g = new int[components];
        for (int i = 0; i < components; i++) {
            g[i] = BLOCKS / components + (i < BLOCKS % components ? 1 : 0);
        }
        return g;
    }

    /**
     * The contiguous cut of blocks (costs in any unit, in order) into {@code components} groups that minimises the
     * costliest group, i.e. the pipeline's slowest stage (exhaustive: 6 blocks have at most 10 cuts into L groups).
     * Among cuts with the same costliest group, the most even one (least sum of squared group costs) wins; further
     * ties go to the first in lexicographic order of group sizes.
     */
    public static int[] balancedGroups(double[] blockCosts, int components) {
        if (components < 1 || components > blockCosts.length) {
            throw new IllegalArgumentException("cannot cut " + blockCosts.length + " blocks into " + components + " groups");
        }
        int[] best = null;
        double bestMax = Double.MAX_VALUE;
        double bestSquares = Double.MAX_VALUE;
        for (int[] cut : cuts(blockCosts.length, components)) {
            double max = 0;
            double squares = 0;
            int next = 0;
            for (int g : cut) {
                double sum = 0;
                for (int i = 0; i < g; i++) {
                    sum += blockCosts[next++];
                }
                max = Math.max(max, sum);
                squares += sum * sum;
            }
            if (max < bestMax || (max == bestMax && squares < bestSquares)) {
                bestMax = max;
                bestSquares = squares;
                best = cut;
            }
        }
        return best;
    }

    /** Every way to cut n blocks into k contiguous non-empty groups, sizes in lexicographic order. */
    public static List<int[]> cuts(int n, int k) {
        List<int[]> out = new ArrayList<>();
        if (k == 1) {
            out.add(new int[] {n});
            return out;
        }
        for (int first = 1; first <= n - k + 1; first++) {
            for (int[] rest : cuts(n - first, k - 1)) {
                int[] c = new int[k];
                c[0] = first;
                System.arraycopy(rest, 0, c, 1, k - 1);
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public int[] groups() {
        return groups.clone();
    }

    @Override
    public AlArchitecture build(int[] inputShape) {
        if (inputShape.length != 2) {
            throw new IllegalArgumentException("a gearbox window is channels x samples, got " + inputShape.length + " dimensions");
        }
        AlNets.Options o = AlNets.Options.defaults(labelWidth).withFirstDecoderLoss(firstDecoderLoss);
        AlArchitecture six = AlNets.gearboxCnn(AlNets.GearboxShape.DEFAULT, inputShape[0], inputShape[1], classes, o);
        List<List<LayerSpec>> cut = new ArrayList<>();
        int next = 0;
        for (int g = 0; g < components; g++) {
            int size = groups[g];
            List<LayerSpec> group = new ArrayList<>();
            for (int b = 0; b < size; b++) {
                group.addAll(six.components().get(next++).encoder());
            }
            cut.add(group);
        }
        AlNets.Options withSlopes = adaptiveSlopes > 0 ? o.withAdaptiveEncoders(adaptiveSlopes) : o;
        return AlNets.assemble(inputShape, classes, cut, withSlopes);
    }
}
