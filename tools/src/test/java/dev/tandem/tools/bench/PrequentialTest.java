package dev.tandem.tools.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** W4's prequential arithmetic on synthetic sequences: accuracy, frozen fraction, per phase, recovery. */
class PrequentialTest {
    /** n outcomes of a phase, every {@code wrongEvery}-th wrong (0: none), frozen as given. */
    private static void add(List<Prequential.Outcome> to, int phase, int n, int wrongEvery, boolean frozen) {
        for (int i = 1; i <= n; i++) {
            to.add(new Prequential.Outcome(phase, wrongEvery == 0 || i % wrongEvery != 0, frozen));
        }
    }

    @Test
    void accuracyAndFrozenFraction() {
        List<Prequential.Outcome> o = new ArrayList<>();
        add(o, 0, 100, 10, false); // 90 right
        add(o, 0, 300, 0, true); // 300 right, frozen
        assertEquals(390 / 400.0, Prequential.accuracy(o), 1e-12);
        assertEquals(0.75, Prequential.frozenFraction(o), 1e-12);
        assertTrue(Double.isNaN(Prequential.accuracy(List.of())));
        assertTrue(Double.isNaN(Prequential.frozenFraction(List.of())));
        assertTrue(Prequential.recoveries(o, 50, 0.01).isEmpty(), "one phase: no change");
    }

    @Test
    void recoveryCountsLabelledWindowsUntilTheSlidingAccuracyIsBack() {
        List<Prequential.Outcome> o = new ArrayList<>();
        add(o, 0, 500, 0, true); // before: 1.0 over the last 100
        add(o, 1, 100, 2, false); // a dip: half wrong
        add(o, 1, 400, 0, true); // then all right
        List<Prequential.Recovery> r = Prequential.recoveries(o, 100, 0.01);
        assertEquals(1, r.size());
        assertEquals(1, r.get(0).phase());
        assertEquals(1.0, r.get(0).before(), 1e-12);
        // the wrong ones are at 2, 4, ..., 100; the window (k-100, k] first holds at most one (0.99 >= 1.0 - 0.01)
        // at k = 198: positions 99..198, of which only 100 is wrong
        assertEquals(198, r.get(0).windows());
        assertEquals(0.5, r.get(0).lowest(), 1e-12);
        assertEquals(500, r.get(0).seen());
        assertTrue(r.get(0).recovered());
    }

    @Test
    void noDipRecoversInTheFirstWindowAndATolerance0NeedsEveryOneRight() {
        List<Prequential.Outcome> o = new ArrayList<>();
        add(o, 0, 200, 20, false); // before: 0.95 over the last 200
        add(o, 1, 300, 25, false); // 0.96
        Prequential.Recovery r = Prequential.recoveries(o, 200, 0.01).get(0);
        assertEquals(0.95, r.before(), 1e-12);
        assertEquals(200, r.windows(), "already within the tolerance: the first full window");
        List<Prequential.Outcome> p = new ArrayList<>();
        add(p, 0, 50, 0, false);
        add(p, 1, 60, 0, false);
        p.set(55, new Prequential.Outcome(1, false, false)); // the 6th of phase 1 wrong
        assertEquals(56, Prequential.recoveries(p, 50, 0.0).get(0).windows()); // (6, 56] holds no wrong one
        // fewer than `window` outcomes before the change: "before" is over those there are
        List<Prequential.Outcome> q = new ArrayList<>();
        add(q, 0, 4, 2, false); // 0.5
        add(q, 1, 10, 0, false);
        assertEquals(0.5, Prequential.recoveries(q, 8, 0.01).get(0).before(), 1e-12);
    }

    @Test
    void notRecoveredWhenTheNewPhaseStaysWorse() {
        List<Prequential.Outcome> o = new ArrayList<>();
        add(o, 0, 300, 0, true);
        add(o, 1, 1000, 20, true); // 0.95 throughout
        Prequential.Recovery r = Prequential.recoveries(o, 200, 0.01).get(0);
        assertNull(r.windows());
        assertFalse(r.recovered());
        assertEquals(0.95, r.lowest(), 1e-12);
        // and a phase shorter than the window cannot be judged
        List<Prequential.Outcome> s = new ArrayList<>();
        add(s, 0, 300, 0, true);
        add(s, 1, 50, 0, true);
        Prequential.Recovery t = Prequential.recoveries(s, 200, 0.01).get(0);
        assertNull(t.windows());
        assertTrue(Double.isNaN(t.lowest()));
        assertThrows(IllegalArgumentException.class, () -> Prequential.recoveries(o, 0, 0.01));
    }

    @Test
    void everyChangeHasItsRecoveryCountedUntilTheNext() {
        List<Prequential.Outcome> o = new ArrayList<>();
        add(o, 0, 100, 0, false);
        add(o, 1, 30, 0, false);
        add(o, 0, 40, 0, false);
        List<Prequential.Recovery> r = Prequential.recoveries(o, 20, 0.01);
        assertEquals(2, r.size());
        assertEquals(30, r.get(0).seen());
        assertEquals(20, r.get(0).windows());
        assertEquals(0, r.get(1).phase());
        assertEquals(40, r.get(1).seen());
    }

    @Test
    @SuppressWarnings("unchecked")
    void figuresPerPhase() {
        List<Prequential.Outcome> o = new ArrayList<>();
        add(o, 0, 400, 0, false);
        add(o, 0, 600, 0, true);
        add(o, 1, 1000, 50, true); // 0.98
        Map<String, Object> f = Prequential.figures(o, List.of("a", "b"), 200, 0.01, 100);
        assertEquals(0.99, (Double) f.get("prequential_accuracy"), 1e-12);
        assertEquals(2000, f.get("prequential_labelled"));
        assertEquals(0.8, (Double) f.get("frozen_fraction"), 1e-12);
        List<Map<String, Object>> phases = (List<Map<String, Object>>) f.get("phases");
        assertEquals("a", phases.get(0).get("phase"));
        assertEquals(1.0, (Double) phases.get(0).get("prequential_accuracy"), 1e-12);
        assertEquals(0.6, (Double) phases.get(0).get("frozen_fraction"), 1e-12);
        assertEquals(0.98, (Double) phases.get(1).get("prequential_accuracy"), 1e-12);
        List<Map<String, Object>> rec = (List<Map<String, Object>>) f.get("recoveries");
        assertEquals("b", rec.get(0).get("into_phase"));
        assertNull(rec.get(0).get("recovered_after_labelled_windows")); // every window of 200 at 0.98 < 1.0 - 0.01
        assertEquals(0.98, (Double) rec.get(0).get("lowest_sliding_accuracy"), 1e-12);
        assertEquals(200, f.get("recovery_window"));
        // first 100 of each: a all right, b 2 wrong
        assertEquals(0.99, (Double) f.get("prequential_accuracy_first_n"), 1e-12);
        assertEquals(0.98, (Double) phases.get(1).get("prequential_accuracy_first_n"), 1e-12);
        assertEquals(1L, f.get("freezes"));
        assertEquals(0L, f.get("unfreezes"));
        assertEquals(400L, f.get("labelled_before_first_freeze"));
    }

    @Test
    void freezeChangesAlongTheStream() {
        List<Prequential.Outcome> o = new ArrayList<>();
        add(o, 0, 10, 0, false);
        add(o, 0, 5, 0, true);
        add(o, 1, 3, 0, false);
        add(o, 1, 4, 0, true);
        assertEquals(List.of(2L, 1L, 11L), java.util.Arrays.stream(Prequential.freezeChanges(o)).boxed().toList());
        assertEquals(List.of(0L, 0L, 0L), java.util.Arrays.stream(Prequential.freezeChanges(List.of())).boxed().toList());
        // by phase: phase 1 begins unfrozen after a frozen end of phase 0 (an unfreeze of phase 1), then freezes
        assertEquals(List.of(1L, 0L, 11L), java.util.Arrays.stream(Prequential.freezeChanges(o, 0)).boxed().toList());
        assertEquals(List.of(1L, 1L, 4L), java.util.Arrays.stream(Prequential.freezeChanges(o, 1)).boxed().toList());
        List<Prequential.Outcome> q = new ArrayList<>();
        add(q, 0, 3, 0, true);
        add(q, 1, 3, 0, true);
        assertEquals(List.of(0L, 0L, 1L), java.util.Arrays.stream(Prequential.freezeChanges(q, 1)).boxed().toList(),
                "frozen across the change: no freeze of phase 1's own");
    }
}
