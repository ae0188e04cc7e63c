package dev.tandem.models.gearbox;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowingTest {

    @Test
    void theLastFifthOfEveryRecordingIsHoldoutAndNoTrainingWindowReachesIt() {
        Windowing w = new Windowing(100, 30, 100, 0.2);
        for (int len : new int[] {1000, 1001, 1004, 999, 250, 100}) {
            int split = w.split(len);
            assertTrue(len - split >= Math.ceil(0.2 * len - 1e-9), "holdout of " + len + " is at least 20%");
            assertTrue(len - split < 0.2 * len + 1, "holdout of " + len + " is not more than needed");
            for (Windowing.Window t : w.trainWindows(3, len)) {
                assertTrue(t.start() + 100 <= split, "training window inside the training part");
                assertEquals(3, t.recording());
            }
            for (Windowing.Window h : w.holdoutWindows(3, len)) {
                assertTrue(h.start() >= split && h.start() + 100 <= len && h.holdout());
            }
        }
        assertEquals(800, w.split(1000));
        List<Windowing.Window> train = w.trainWindows(0, 1000);
        assertEquals(24, train.size(), "starts 0, 30, ..., 690");
        assertEquals(690, train.get(train.size() - 1).start());
        List<Windowing.Window> hold = w.holdoutWindows(0, 1000);
        assertEquals(2, hold.size(), "800 and 900, not overlapping");
        assertEquals(List.of(800, 900), hold.stream().map(Windowing.Window::start).toList());
        assertEquals(0, w.holdoutWindows(0, 300).size(), "a 60-sample holdout holds no 100-sample window");
    }

    @Test
    void windowsAreCutChannelMajor() {
        float[][] s = {{0, 1, 2, 3, 4, 5}, {10, 11, 12, 13, 14, 15}};
        VibrationRecording r = new VibrationRecording(null, List.of("a", "b"), s);
        float[] dst = new float[1 + 2 * 3];
        Windowing.copy(r, 2, 3, dst, 1);
        assertArrayEquals(new float[] {0, 2, 3, 4, 12, 13, 14}, dst);
        assertThrows(IllegalArgumentException.class, () -> Windowing.copy(r, 4, 3, dst, 0));
    }

    @Test
    void interleavingKeepsEachRecordingInTimeOrderMixesThemAndIsSeeded() {
        List<List<Windowing.Window>> per = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            per.add(Windowing.of(10, 10).trainWindows(r, 1000));
        }
        List<Windowing.Window> a = Windowing.interleave(per, 7);
        assertEquals(4 * 80, a.size());
        int[] last = {-1, -1, -1, -1};
        for (Windowing.Window x : a) {
            assertTrue(x.start() > last[x.recording()], "time order within a recording");
            last[x.recording()] = x.start();
        }
        int switches = 0;
        for (int i = 1; i < a.size(); i++) {
            if (a.get(i).recording() != a.get(i - 1).recording()) {
                switches++;
            }
        }
        assertTrue(switches > 150, "recordings interleave: " + switches + " switches");
        long firstQuarter = a.subList(0, 80).stream().map(Windowing.Window::recording).distinct().count();
        assertEquals(4, firstQuarter, "every recording shows up early");
        assertEquals(a, Windowing.interleave(per, 7));
        assertNotEquals(a, Windowing.interleave(per, 8));
    }

    @Test
    void normalisationGivesZeroMeanUnitVariancePerChannel() {
        float[] x = {1, 2, 3, 4, 10, 10, 10, 10, -5, 5, -5, 5};
        Windowing.normalise(x, 0, 3, 4);
        double mean = (x[0] + x[1] + x[2] + x[3]) / 4;
        double var = 0;
        for (int i = 0; i < 4; i++) {
            var += (x[i] - mean) * (x[i] - mean) / 4;
        }
        assertEquals(0, mean, 1e-6);
        assertEquals(1, var, 1e-5);
        assertArrayEquals(new float[] {0, 0, 0, 0}, java.util.Arrays.copyOfRange(x, 4, 8), "a constant channel becomes 0");
        assertArrayEquals(new float[] {-1, 1, -1, 1}, java.util.Arrays.copyOfRange(x, 8, 12), 1e-6f);
    }

    @Test
    void noiseHasTheRequestedSignalToNoiseRatioAndIsSeeded() {
        int n = 200_000;
        float[] x = new float[2 * n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i * 0.01) * 3;
            x[n + i] = (float) Math.cos(i * 0.003);
        }
        float[] clean = x.clone();
        float[] twin = x.clone();
        Windowing.addNoise(x, 0, 2, n, 0.0, new SplittableRandom(5));
        Windowing.addNoise(twin, 0, 2, n, 0.0, new SplittableRandom(5));
        assertArrayEquals(x, twin, "same seed, same noise");
        for (int c = 0; c < 2; c++) {
            double ps = 0;
            double pn = 0;
            double mean = 0;
            for (int i = 0; i < n; i++) {
                double noise = x[c * n + i] - clean[c * n + i];
                ps += clean[c * n + i] * clean[c * n + i];
                pn += noise * noise;
                mean += noise;
            }
            assertEquals(0.0, 10 * Math.log10(ps / pn), 0.05, "SNR 0 dB on channel " + c);
            assertEquals(0.0, mean / n, 0.02, "zero-mean noise");
        }
        float[] y = clean.clone();
        Windowing.addNoise(y, 0, 2, n, 10.0, new SplittableRandom(1));
        double ps = 0;
        double pn = 0;
        for (int i = 0; i < n; i++) {
            ps += clean[i] * clean[i];
            pn += (y[i] - clean[i]) * (y[i] - clean[i]);
        }
        assertEquals(10.0, 10 * Math.log10(ps / pn), 0.05);
    }

    @Test
    void invalidSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Windowing.of(0, 1));
        assertTrue(e.getMessage().contains("window length"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Windowing.of(10, 0));
        assertTrue(e.getMessage().contains("hop"), e.getMessage());
    }
}
