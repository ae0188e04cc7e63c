package dev.tandem.tools.eval;

import dev.tandem.models.data.SharedData;
import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.learning.tensor.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The gearbox evaluation end to end on short budgets: synthetic recordings, then real CWRU data when present. */
class GearboxEvaluationTest {
    @TempDir
    Path tmp;

    private static GearboxEvaluation.Settings settings(int window, int hop, List<String> machines, Double snr,
                                                       String shiftTo, int epochs) {
        return new GearboxEvaluation.Settings(window, hop, window, machines, snr, shiftTo, epochs, 32, 1e-3, 1, true,
                true, true);
    }

    /** Two synthetic "machines" whose three classes differ in a tone frequency; the second runs 3% faster. */
    private Path synthetic() throws IOException {
        return synthetic(new double[] {0.02, 0.05, 0.11}, 1.03);
    }

    /** As {@link #synthetic()} with the given tone of each class and the second machine's speed-up. */
    private Path synthetic(double[] freq, double speedUp) throws IOException {
        StringBuilder manifest = new StringBuilder("file,label,sample_rate_hz,machine\n");
        SplittableRandom rng = new SplittableRandom(4);
        String[] labels = {"slow", "mid", "fast"};
        for (int m = 0; m < 2; m++) {
            for (int k = 0; k < 3; k++) {
                String name = "m" + m + "-" + labels[k] + ".csv";
                StringBuilder sb = new StringBuilder("x,y\n");
                double f = freq[k] * (m == 0 ? 1 : speedUp);
                for (int i = 0; i < 12_000; i++) {
                    double v = Math.sin(2 * Math.PI * f * i) * (1 + m) + 0.3 * rng.nextGaussian();
                    sb.append(String.format(Locale.ROOT, "%.4f,%.4f%n", v, 0.5 * v + 0.3 * rng.nextGaussian()));
                }
                Files.writeString(tmp.resolve(name), sb);
                manifest.append(name).append(',').append(labels[k]).append(",1000,machine-").append(m).append('\n');
            }
        }
        Files.writeString(tmp.resolve("manifest.csv"), manifest);
        return tmp;
    }

    @Test
    void syntheticTonesAreLearnedAndTheShiftMachineIsNeverTrainedOn() throws Exception {
        VibrationManifest m = VibrationManifest.read(synthetic());
        GearboxEvaluation.Result r = new GearboxEvaluation(settings(1024, 256, List.of(), null, null, 2),
                Backends.choose("auto").backend()).run(m, new GearboxEvaluation.Listener() {
                });
        assertEquals(List.of("fast", "mid", "slow"), r.classes());
        assertEquals(6 * 34, r.windows(), "(9600 - 1024) / 256 + 1 = 34 training windows per recording");
        assertEquals(6 * 2, r.holdoutWindows(), "2,400 holdout samples hold 2 windows of 1024");
        assertTrue(r.holdoutAccuracy() >= 0.9, "holdout accuracy " + r.holdoutAccuracy());
        assertNull(r.shiftAccuracy());

        GearboxEvaluation.Result s = new GearboxEvaluation(settings(1024, 256, List.of(), 10.0, "machine-1", 2),
                Backends.choose("auto").backend()).run(m, new GearboxEvaluation.Listener() {
                });
        assertEquals(3 * 34, s.windows(), "only machine-0 is learned from");
        assertEquals(3 * 34, s.shiftWindows());
        assertNotNull(s.shiftAccuracy());
        assertTrue(s.shiftAccuracy() > 0.6, "shift accuracy " + s.shiftAccuracy());
    }

    @Test
    void orderTrackingPutsTheFasterMachinesTonesWhereTheSlowerOnesAre() throws Exception {
        // the synthetic tones are shaft orders, a factor 1.25 apart; machine-1 runs 1.25 times as fast, so its "slow"
        // tone is machine-0's "mid" one and its "mid" one machine-0's "fast" one
        VibrationManifest m = VibrationManifest.read(synthetic(new double[] {0.04, 0.05, 0.0625}, 1.25))
                .withSpeeds(java.util.Map.of("machine-0", 1000.0, "machine-1", 1250.0));
        double[] shift = new double[2];
        for (int on = 0; on < 2; on++) {
            GearboxEvaluation.Settings s = new GearboxEvaluation.Settings(1024, 256, 1024, List.of(), null, null, 6, 32,
                    3e-3, 1, true, false, true, on == 1).withShift(List.of("machine-0"), "machine-1");
            GearboxEvaluation.Result r = new GearboxEvaluation(s, Backends.choose("auto").backend()).run(m,
                    new GearboxEvaluation.Listener() {
                    });
            assertEquals(3 * 34, r.windows(), "only machine-0 is learned from");
            shift[on] = r.shiftAccuracy();
            assertTrue(r.holdoutAccuracy() >= 0.9, "machine-0 learned: holdout " + r.holdoutAccuracy());
        }
        assertTrue(shift[1] >= 0.95, "with order tracking: shift accuracy " + shift[1] + ", without " + shift[0]);
        assertTrue(shift[0] <= 0.5, "without order tracking the faster machine's tones are the other classes': "
                + shift[0]);
    }

    @Test
    void wrongSettingsNameTheOption() throws Exception {
        VibrationManifest m = VibrationManifest.read(synthetic());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(512, 128, List.of(), null, null, 1));
        assertTrue(e.getMessage().contains("--window") && e.getMessage().contains("1009"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> settings(1024, 0, List.of(), null, null, 1));
        assertTrue(e.getMessage().contains("--hop"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> settings(1024, 64, List.of(), Double.NaN, null, 1));
        assertTrue(e.getMessage().contains("--snr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GearboxEvaluation(
                settings(1024, 256, List.of("machine-9"), null, null, 1), Backends.choose("auto").backend())
                .run(m, new GearboxEvaluation.Listener() {
                }));
        assertTrue(e.getMessage().contains("--machines") && e.getMessage().contains("machine-9")
                && e.getMessage().contains("machine-0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GearboxEvaluation(
                settings(1024, 256, List.of("machine-0"), null, "machine-1", 1), Backends.choose("auto").backend())
                .run(m, new GearboxEvaluation.Listener() {
                }));
        assertTrue(e.getMessage().contains("--shift-to"), e.getMessage());
    }

    @Test
    void realCwruBearingsAreRecognisedFarAboveChanceAfterOneShortPass() throws Exception {
        Optional<Path> cwru = SharedData.dataset("bearing-cwru");
        assumeTrue(cwru.isPresent(), SharedData.absentMessage("bearing-cwru"));
        VibrationManifest m = VibrationManifest.read(cwru.get());
        long t0 = System.nanoTime();
        GearboxEvaluation.Result r = new GearboxEvaluation(settings(1024, 256, List.of("cwru-1797rpm"), null, null, 1),
                Backends.choose("auto").backend()).run(m, new GearboxEvaluation.Listener() {
                });
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(10, r.classes().size());
        assertEquals(2, r.channels());
        assertEquals(12000.0, r.sampleRateHz());
        assertTrue(r.windows() > 3000, "windows " + r.windows());
        assertTrue(r.holdoutAccuracy() > 0.7, "chance is 0.1; holdout accuracy " + r.holdoutAccuracy());
        assertTrue(r.prequentialAccuracy() > 0.3, "prequential accuracy " + r.prequentialAccuracy());
        System.err.printf(Locale.ROOT, "CWRU 1797 rpm, one pass, hop 256: prequential %.4f holdout %.4f in %.1f s%n",
                r.prequentialAccuracy(), r.holdoutAccuracy(), seconds);
    }
}
