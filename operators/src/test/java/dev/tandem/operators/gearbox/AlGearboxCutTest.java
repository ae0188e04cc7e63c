package dev.tandem.operators.gearbox;

import dev.tandem.learning.al.DecoderLoss;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AlGearboxCutTest {
    @Test
    void cutsAreEveryContiguousSplit() {
        List<int[]> cuts = AlGearboxArchitecture.cuts(6, 4);
        assertEquals(10, cuts.size()); // C(5, 3)
        assertArrayEquals(new int[] {1, 1, 1, 3}, cuts.get(0));
        assertArrayEquals(new int[] {3, 1, 1, 1}, cuts.get(cuts.size() - 1));
        for (int[] c : cuts) {
            assertEquals(6, java.util.Arrays.stream(c).sum());
        }
    }

    @Test
    void balancedCutMinimisesTheCostliestGroup() {
        // the block costs bench w6 measured (ms per batch of 32): block 1 alone is the slowest stage
        double[] measured = {16.5, 13.5, 12.9, 7.8, 6.1, 1.1};
        assertArrayEquals(new int[] {1, 1, 1, 3}, AlGearboxArchitecture.balancedGroups(measured, 4));
        assertArrayEquals(new int[] {1, 2, 3}, AlGearboxArchitecture.balancedGroups(measured, 3)); // 26.4 < 27.9 of [1, 1, 4]
        assertArrayEquals(new int[] {6}, AlGearboxArchitecture.balancedGroups(measured, 1));
        // equal costs: the even cut's sizes (of the cuts reaching the optimum, the most even)
        assertArrayEquals(new int[] {2, 2, 2}, AlGearboxArchitecture.balancedGroups(new double[] {1, 1, 1, 1, 1, 1}, 3));
        // a costly last block stands alone, the others as even as they go ([2, 3, 1] and [3, 2, 1] tie: the first)
        assertArrayEquals(new int[] {2, 3, 1}, AlGearboxArchitecture.balancedGroups(new double[] {1, 1, 1, 1, 1, 9}, 3));
        assertThrows(IllegalArgumentException.class, () -> AlGearboxArchitecture.balancedGroups(measured, 7));
    }

    @Test
    void theCutDecidesEachComponentsEncoder() {
        var even = new AlGearboxArchitecture(10, 4, 16, DecoderLoss.SOFTMAX_CROSS_ENTROPY, 0).build(new int[] {2, 2048});
        var balanced = new AlGearboxArchitecture(10, 4, 16, DecoderLoss.SOFTMAX_CROSS_ENTROPY, 0, new int[] {1, 1, 1, 3})
                .build(new int[] {2, 2048});
        assertEquals(4, balanced.components().size());
        int blockLayers = balanced.components().get(0).encoder().size(); // one conv block
        assertEquals(2 * blockLayers, even.components().get(0).encoder().size()); // the even cut is [2, 2, 1, 1]
        assertEquals(blockLayers, balanced.components().get(1).encoder().size());
    }
}
