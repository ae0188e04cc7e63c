package dev.tandem.tools.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** W4's replay order with phases: each phase its own windows, a seeded shuffle repeated; the round robin unchanged. */
class PhaseOrderTest {
    @Test
    void roundRobinIsThePoolInOrder() {
        PhaseOrder o = PhaseOrder.roundRobin(3);
        List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            sent.add(o.next(0));
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), sent);
        assertEquals(1, o.phases());
    }

    @Test
    void eachPhaseSendsAFixedShuffleOfItsOwnWindowsOverAndOver() {
        PhaseOrder o = new PhaseOrder(List.of(50, 30), 7, true);
        List<Integer> first = o.cycle(0);
        List<Integer> second = o.cycle(1);
        assertEquals(IntStream.range(0, 50).boxed().toList(), first.stream().sorted().toList(), "a permutation of phase 0");
        assertEquals(IntStream.range(50, 80).boxed().toList(), second.stream().sorted().toList(), "of phase 1's indices");
        assertNotEquals(IntStream.range(0, 50).boxed().toList(), first, "shuffled");
        List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add(o.next(0));
        }
        assertEquals(first, sent.subList(0, 50));
        assertEquals(first, sent.subList(50, 100), "the same order again");
        assertEquals(second.get(0), o.next(1));
        assertEquals(first.get(0), o.next(0), "phase 0 goes on where it left off");
        // the same seed gives the same order; another seed another
        assertEquals(first, new PhaseOrder(List.of(50, 30), 7, true).cycle(0));
        assertNotEquals(first, new PhaseOrder(List.of(50, 30), 8, true).cycle(0));
        assertThrows(IllegalArgumentException.class, () -> new PhaseOrder(List.of(5, 0), 1, true));
    }

    @Test
    void phasesShareTheRunEqually() {
        assertEquals(0, PhaseOrder.phaseAt(-1, 240_000, 2), "before the first answer");
        assertEquals(0, PhaseOrder.phaseAt(0, 240_000, 2));
        assertEquals(0, PhaseOrder.phaseAt(119_999, 240_000, 2));
        assertEquals(1, PhaseOrder.phaseAt(120_000, 240_000, 2));
        assertEquals(1, PhaseOrder.phaseAt(900_000, 240_000, 2), "the last phase stays on");
        assertEquals(2, PhaseOrder.phaseAt(200_000, 300_000, 3));
        assertEquals(0, PhaseOrder.phaseAt(200_000, 300_000, 1));
    }
}
