package dev.tandem.tools.eval;

import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.decision.DecisionSettings;
import dev.tandem.learning.tensor.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decision-stage experiment on small synthetic recordings: its curves, choices and time accounting. */
public class DecisionExperimentTest {
    @TempDir
    Path tmp;

    /**
     * One machine, four classes: a noisy carrier, with impulse trains of three periods for the three faults. Written
     * as a manifest folder; returns it.
     */
    public static Path impulses(Path dir) throws IOException {
        StringBuilder manifest = new StringBuilder("file,label,sample_rate_hz,machine\n");
        SplittableRandom rng = new SplittableRandom(11);
        String[] labels = {"ok", "p37", "p53", "p71"};
        int[] period = {0, 37, 53, 71};
        for (int k = 0; k < labels.length; k++) {
            StringBuilder sb = new StringBuilder("a\n");
            for (int i = 0; i < 12_000; i++) {
                double v = Math.sin(0.07 * i) + 0.5 * rng.nextGaussian();
                if (period[k] > 0 && i % period[k] == 0) {
                    v += 4;
                }
                sb.append(String.format(Locale.ROOT, "%.4f%n", v));
            }
            Files.writeString(dir.resolve(labels[k] + ".csv"), sb);
            manifest.append(labels[k]).append(".csv,").append(labels[k]).append(",1000,rig\n");
        }
        Files.writeString(dir.resolve("manifest.csv"), manifest);
        return dir;
    }

    static GearboxEvaluation evaluation(int epochs) {
        return new GearboxEvaluation(new GearboxEvaluation.Settings(1024, 256, 1024, List.of(), 5.0, null, epochs, 8,
                3e-3, 1, true, false, true), Backends.choose("java").backend());
    }

    @Test
    void comparesTheFullNetworkWithShortBudgetsAndDecisionStages() throws Exception {
        VibrationManifest m = VibrationManifest.read(impulses(tmp));
        DecisionExperiment.Settings s = new DecisionExperiment.Settings(1, 2, 0, 0.002, DecisionSettings.defaults("svm"));
        DecisionExperiment.Result r = new DecisionExperiment(evaluation(4), s, Backends.choose("java").backend())
                .run(m, new DecisionExperiment.Listener() {
                });
        assertEquals(List.of("ok", "p37", "p53", "p71"), r.classes());
        assertEquals(4 * 2, r.holdoutWindows(), "the last 2,400 samples of a recording hold 2 windows of 1024");
        assertEquals(4 * 34, r.windows(), "(9600 - 1024) / 256 + 1 = 34 training windows per recording");

        // (a): one point per pass until the holdout accuracy stopped improving for 1 pass (patience)
        List<DecisionExperiment.Point> full = r.fullCurve();
        assertTrue(full.size() >= 2 && full.size() <= 4, "passes " + full.size());
        DecisionExperiment.Point best = r.full().point();
        for (DecisionExperiment.Point p : full) {
            assertTrue(p.holdoutAccuracy() <= best.holdoutAccuracy());
            assertEquals(0, p.decisionCpuSeconds());
        }
        assertEquals(best.holdoutAccuracy() - 0.002, r.threshold(), 1e-12);
        for (int i = 1; i < full.size(); i++) {
            assertTrue(full.get(i).gradientSteps() > full.get(i - 1).gradientSteps());
            assertTrue(full.get(i).cpuSeconds() >= full.get(i - 1).cpuSeconds(), "cumulative cost");
        }

        // (b), (c): per budget S = 1, 2: argmax, svm, mlp on the same base network
        assertEquals(6, r.shortCurve().size());
        for (int i = 0; i < 6; i += 3) {
            DecisionExperiment.Point argmax = r.shortCurve().get(i);
            assertEquals("argmax", argmax.stage());
            assertTrue(argmax.oracleAccuracy() >= 0 && argmax.oracleAccuracy() <= 1, "oracle " + argmax);
            for (int j = 1; j <= 2; j++) {
                DecisionExperiment.Point d = r.shortCurve().get(i + j);
                assertEquals(j == 1 ? "svm" : "mlp", d.stage());
                assertEquals(argmax.gradientSteps(), d.gradientSteps(), "the decision stage takes no base step");
                assertEquals(argmax.baseCpuSeconds(), d.baseCpuSeconds());
                assertTrue(d.decisionCpuSeconds() > 0 && d.decisionVersion() > 0);
                assertTrue(d.decisionPrequentialAccuracy() >= 0 && d.decisionPrequentialAccuracy() <= 1, d.toString());
                assertTrue(Double.isNaN(d.oracleAccuracy()), "the oracle belongs to the budget's argmax point");
                if (argmax.epochs() == 2) {
                    assertTrue(d.holdoutAccuracy() > 0.25, "better than chance (0.25): " + d);
                }
            }
        }
        Integer at = r.oracleReachesAt();
        for (DecisionExperiment.Point p : r.shortCurve()) {
            if (p.stage().equals("argmax") && (at == null || p.epochs() < at)) {
                assertTrue(p.oracleAccuracy() < r.threshold(), "the FIRST budget whose oracle reaches it");
            }
        }
        // an entry either met the threshold at its first such budget (with a time reduction) or did not (null)
        for (DecisionExperiment.Entry e : List.of(r.svm(), r.mlp())) {
            assertNotNull(e.point());
            if (e.timeReduction() != null) {
                assertTrue(e.point().holdoutAccuracy() >= r.threshold() - 1e-12);
                assertEquals(1 - e.point().cpuSeconds() / best.cpuSeconds(), e.timeReduction(), 1e-12);
                for (DecisionExperiment.Point p : r.shortCurve()) {
                    if (p.stage().equals(e.point().stage()) && p.epochs() < e.point().epochs()) {
                        assertTrue(p.holdoutAccuracy() < r.threshold(), "the FIRST budget that reaches it");
                    }
                }
            } else {
                assertNull(e.wallTimeReduction());
                r.shortCurve().stream().filter(p -> p.stage().equals(e.point().stage()))
                        .forEach(p -> assertTrue(p.holdoutAccuracy() < r.threshold()));
            }
        }
    }

    @Test
    void settingsNameTheOption() {
        DecisionSettings d = DecisionSettings.defaults("svm");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DecisionExperiment.Settings(0, 3, 0, 0.002, d))
                .getMessage().contains("--patience"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DecisionExperiment.Settings(3, 0, 0, 0.002, d))
                .getMessage().contains("--short-epochs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DecisionExperiment.Settings(3, 3, -1, 0.002, d))
                .getMessage().contains("--decision-windows"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DecisionExperiment.Settings(3, 3, 0, 1.5, d))
                .getMessage().contains("--tolerance"));
    }
}
