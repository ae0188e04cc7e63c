package dev.tandem.tools.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * W4's prequential figures over a stream of labelled predictions, in the order the windows were sent: accuracy
 * (each prediction made before its window was learned from), per phase of the replay, the fraction made while the
 * base network was frozen, and — after each change of phase — the recovery: how many labelled windows of the new
 * phase until the accuracy over the last {@code window} of them (all of the new phase) is back within
 * {@code tolerance} of the accuracy over the last {@code window} labelled windows before the change.
 *
 * <p>By construction a recovery is at least {@code window} windows (the first sliding window wholly after the change);
 * {@code window} means the first {@code window} windows after the change were already within the tolerance. Pure
 * arithmetic, no Kafka: the benchmark feeds it what its probe saw.
 */
public final class Prequential {
    /** One labelled prediction: its phase (0-based), whether the decision was right, whether the base was frozen. */
    public record Outcome(int phase, boolean correct, boolean frozen) {
    }

    /** The recovery after the change into phase {@code phase}; {@code windows} null when not recovered. */
    public record Recovery(int phase, double before, Integer windows, double lowest, int seen) {
        public boolean recovered() {
            return windows != null;
        }
    }

    private Prequential() {
    }

    /** Correct / all; NaN without outcomes. */
    public static double accuracy(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return Double.NaN;
        }
        long right = outcomes.stream().filter(Outcome::correct).count();
        return (double) right / outcomes.size();
    }

    /** The fraction of outcomes made with the base network frozen; NaN without outcomes. */
    public static double frozenFraction(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return Double.NaN;
        }
        return (double) outcomes.stream().filter(Outcome::frozen).count() / outcomes.size();
    }

    /**
     * Changes of the frozen flag along the outcomes: [freezes (unfrozen → frozen), unfreezes (frozen → unfrozen),
     * the 1-based position of the first frozen outcome or 0 when none].
     */
    public static long[] freezeChanges(List<Outcome> outcomes) {
        return freezeChanges(outcomes, -1);
    }

    /**
     * {@link #freezeChanges(List)} counting only the changes at outcomes of {@code phase} (-1: all), each against the
     * outcome before it in the whole stream (a phase that begins frozen after a frozen end of the one before has no
     * freeze of its own); the position is the first frozen outcome of that phase, counted within the phase.
     */
    public static long[] freezeChanges(List<Outcome> outcomes, int phase) {
        long freezes = 0;
        long unfreezes = 0;
        long first = 0;
        long position = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            if (phase >= 0 && outcomes.get(i).phase() != phase) {
                continue;
            }
            position++;
            boolean f = outcomes.get(i).frozen();
            if (f && first == 0) {
                first = position;
            }
            boolean before = i > 0 && outcomes.get(i - 1).frozen();
            if (f && !before) {
                freezes++;
            } else if (!f && before) {
                unfreezes++;
            }
        }
        return new long[] {freezes, unfreezes, first};
    }

    /** The outcomes of one phase, in order. */
    public static List<Outcome> ofPhase(List<Outcome> outcomes, int phase) {
        return outcomes.stream().filter(o -> o.phase() == phase).toList();
    }

    /**
     * The recovery after every change of phase in {@code outcomes} (a change: an outcome whose phase differs from
     * the one before). "Before" is the accuracy over the last {@code window} outcomes before the change (fewer when
     * fewer exist); the new phase's outcomes are counted until the next change.
     */
    public static List<Recovery> recoveries(List<Outcome> outcomes, int window, double tolerance) {
        if (window < 1) {
            throw new IllegalArgumentException("recovery window " + window + " < 1");
        }
        List<Recovery> out = new ArrayList<>();
        for (int i = 1; i < outcomes.size(); i++) {
            if (outcomes.get(i).phase() == outcomes.get(i - 1).phase()) {
                continue;
            }
            double before = accuracy(outcomes.subList(Math.max(0, i - window), i));
            int end = i;
            while (end < outcomes.size() && outcomes.get(end).phase() == outcomes.get(i).phase()) {
                end++;
            }
            out.add(recovery(outcomes.get(i).phase(), outcomes.subList(i, end), before, window, tolerance));
        }
        return out;
    }

    /**
     * The first k ≥ window such that outcomes (k − window, k] of {@code after} are correct at a rate ≥ before −
     * tolerance (with a margin of 1e-9 for the rounding of the rates); null when none.
     */
    static Recovery recovery(int phase, List<Outcome> after, double before, int window, double tolerance) {
        int right = 0;
        double lowest = Double.NaN;
        for (int k = 1; k <= after.size(); k++) {
            if (after.get(k - 1).correct()) {
                right++;
            }
            if (k > window && after.get(k - 1 - window).correct()) {
                right--;
            }
            if (k >= window) {
                double a = (double) right / window;
                lowest = Double.isNaN(lowest) ? a : Math.min(lowest, a);
                if (a >= before - tolerance - 1e-9) {
                    return new Recovery(phase, before, k, lowest, after.size());
                }
            }
        }
        return new Recovery(phase, before, null, lowest, after.size());
    }

    /**
     * The JSON figures: overall and per-phase accuracy, frozen fractions and freezes, recoveries; with
     * {@code firstN} &gt; 0 also the accuracy over the first {@code firstN} labelled windows of each phase (and of
     * those together), for runs of different speeds compared at equal windows.
     */
    public static Map<String, Object> figures(List<Outcome> outcomes, List<String> phaseNames, int window, double tolerance,
                                              int firstN) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prequential_accuracy", round4(accuracy(outcomes)));
        out.put("prequential_labelled", outcomes.size());
        out.put("frozen_fraction", round4(frozenFraction(outcomes)));
        long[] changes = freezeChanges(outcomes);
        out.put("freezes", changes[0]);
        out.put("unfreezes", changes[1]);
        out.put("labelled_before_first_freeze", changes[2] == 0 ? null : changes[2] - 1);
        if (firstN > 0) {
            List<Outcome> firsts = new ArrayList<>();
            for (int p = 0; p < phaseNames.size(); p++) {
                List<Outcome> of = ofPhase(outcomes, p);
                firsts.addAll(of.subList(0, Math.min(firstN, of.size())));
            }
            out.put("first_n", firstN);
            out.put("prequential_accuracy_first_n", round4(accuracy(firsts)));
        }
        if (phaseNames.size() > 1) {
            List<Map<String, Object>> phases = new ArrayList<>();
            for (int p = 0; p < phaseNames.size(); p++) {
                List<Outcome> of = ofPhase(outcomes, p);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("phase", phaseNames.get(p));
                m.put("labelled", of.size());
                m.put("prequential_accuracy", round4(accuracy(of)));
                m.put("frozen_fraction", round4(frozenFraction(of)));
                long[] c = freezeChanges(outcomes, p);
                m.put("freezes", c[0]);
                m.put("unfreezes", c[1]);
                if (firstN > 0) {
                    m.put("prequential_accuracy_first_n", round4(accuracy(of.subList(0, Math.min(firstN, of.size())))));
                }
                phases.add(m);
            }
            out.put("phases", phases);
            List<Map<String, Object>> rec = new ArrayList<>();
            for (Recovery r : recoveries(outcomes, window, tolerance)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("into_phase", phaseNames.get(r.phase()));
                m.put("accuracy_before", round4(r.before()));
                m.put("recovered_after_labelled_windows", r.windows()); // null: not recovered
                m.put("lowest_sliding_accuracy", round4(r.lowest()));
                m.put("labelled_after_change", r.seen());
                rec.add(m);
            }
            out.put("recovery_window", window);
            out.put("recovery_tolerance", tolerance);
            out.put("recoveries", rec);
        }
        return out;
    }

    static Double round4(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 10_000) / 10_000.0;
    }
}
