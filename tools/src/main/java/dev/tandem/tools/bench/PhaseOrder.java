package dev.tandem.tools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The replay order of W4 with phases (a change of operating condition): the pool is the phases' windows one after
 * the other (phase p holds indices [offset(p), offset(p) + size(p))); during phase p the replay sends that phase's
 * windows in a fixed order, a seeded shuffle of them (seed, p), over and over. Which phase is on depends on the
 * time since the job's first answer: each phase has an equal share of the run ({@link #phaseAt}). Without phases
 * (one) the order is the plain round robin of the pool (the default W4 replay).
 */
public final class PhaseOrder {
    private final int[][] order;
    private final int[] next;

    /** @param sizes windows of each phase; @param shuffle false: each phase in pool order (the round robin) */
    public PhaseOrder(List<Integer> sizes, long seed, boolean shuffle) {
        order = new int[sizes.size()][];
        next = new int[sizes.size()];
        int offset = 0;
        for (int p = 0; p < sizes.size(); p++) {
            int n = sizes.get(p);
            if (n < 1) {
                throw new IllegalArgumentException("phase " + p + " has no windows");
            }
            int[] o = new int[n];
            for (int i = 0; i < n; i++) {
                o[i] = offset + i;
            }
            if (shuffle) {
                SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + p);
                for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                    int j = rng.nextInt(i + 1);
                    int t = o[i];
                    o[i] = o[j];
                    o[j] = t;
                }
            }
            order[p] = o;
            offset += n;
        }
    }

    /** The plain round robin of one pool of {@code size} windows. */
    public static PhaseOrder roundRobin(int size) {
        return new PhaseOrder(List.of(size), 0, false);
    }

    public int phases() {
        return order.length;
    }

    /** The pool index of the next window to send in phase {@code p} (each phase goes on where it left off). */
    public int next(int p) {
        int i = order[p][next[p]];
        next[p] = (next[p] + 1) % order[p].length;
        return i;
    }

    /** Phase p's order, one cycle (pool indices). */
    public List<Integer> cycle(int p) {
        List<Integer> out = new ArrayList<>(order[p].length);
        for (int i : order[p]) {
            out.add(i);
        }
        return out;
    }

    /**
     * The phase on at {@code elapsedMs} after the run's start (the job's first answer; negative: before it) of a run
     * of {@code totalMs} split into {@code phases} equal shares; the last phase stays on after the end.
     */
    public static int phaseAt(long elapsedMs, long totalMs, int phases) {
        if (elapsedMs <= 0 || phases <= 1) {
            return 0;
        }
        long p = elapsedMs * phases / Math.max(1, totalMs);
        return (int) Math.min(phases - 1, p);
    }
}
