package dev.tandem.operators.rain;

import dev.tandem.models.rain.RegionSettings;

import dev.tandem.models.rain.Grid;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.tandem.operators.rain.RainTestData.HOUR;
import static dev.tandem.operators.rain.RainTestData.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionTrainerFunctionTest {
    static final int T = 2;
    static final RegionSettings SETTINGS = new RegionSettings("1h", T, 1, "s-sgd", 0.05, 0.9, 2, 0.01, 500, 0,
            new int[] {4}, new int[] {3}, 1, 8, 1, 10, 3L, "java");

    /** n frames of the synthetic readings, through the rasterizer. */
    static List<RainFrame> frames(int n) throws Exception {
        try (var h = RasterizerFunctionTest.harness(RasterizerFunctionTest.SETTINGS)) {
            h.open();
            for (int s = 0; s < n; s++) {
                RasterizerFunctionTest.send(h, RainTestData.step(s, 0));
                h.processWatermark(T0 + (s + 1) * HOUR + RasterizerFunctionTest.LATENESS);
            }
            return h.extractOutputValues();
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, RainFrame, Forecast> harness(RegionSettings s) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new RegionTrainerFunction(s)),
                (RainFrame f) -> f.region, Types.STRING);
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, RegionTrainerFunctionTest.class.getClassLoader());
        return h;
    }

    static List<Forecast> feed(KeyedOneInputStreamOperatorTestHarness<String, RainFrame, Forecast> h, List<RainFrame> fs)
            throws Exception {
        int before = h.extractOutputValues().size();
        for (RainFrame f : fs) {
            h.processElement(new StreamRecord<>(f, f.end));
        }
        List<Forecast> all = h.extractOutputValues();
        return new ArrayList<>(all.subList(before, all.size()));
    }

    static float[] flat(Forecast f) {
        float[] out = new float[f.grid.rows * f.grid.cols];
        for (int r = 0; r < f.grid.rows; r++) {
            System.arraycopy(f.rainMm[r], 0, out, r * f.grid.cols, f.grid.cols);
        }
        return out;
    }

    @Test
    void everyFrameScoresThePreviousForecastThenLearnsThenForecasts() throws Exception {
        List<RainFrame> fs = frames(8);
        try (var h = harness(SETTINGS)) {
            h.open();
            List<Forecast> out = feed(h, fs);
            assertEquals(fs.size() - T + 1, out.size(), "one forecast per frame once T frames are in");
            for (int i = 0; i < out.size(); i++) {
                Forecast f = out.get(i);
                RainFrame issuing = fs.get(i + T - 1);
                assertEquals("r", f.region);
                assertEquals(issuing.end, f.issuedAt);
                assertEquals(issuing.end, f.validAt, "horizon 1: the next step");
                assertEquals(issuing.end + HOUR, f.validUntil);
                assertEquals(i, f.modelVersion, "one S-SGD step per frame once a window precedes it");
                assertEquals(9, f.stations.length);
                Grid g = issuing.grid();
                for (Forecast.StationValue sv : f.stations) {
                    assertEquals(g.sample(flat(f), sv.lat, sv.lon), sv.rainMm, "station value = its cell's value");
                }
            }
            assertNull(out.get(0).previousMse, "nothing to score before the first forecast");
            for (int i = 1; i < out.size(); i++) {
                // the chain of weight hashes: each step starts from the weights of the forecast before
                assertEquals(16, out.get(i).modelHash.length(), "a 64-bit hex hash");
                assertEquals(out.get(i - 1).modelHash, out.get(i).previousModelHash, "forecast " + i);
                assertNotEquals(out.get(i - 1).modelHash, out.get(i).modelHash, "one step changed the weights at " + i);
            }
            for (int i = 1; i < out.size(); i++) {
                // the forecast emitted for this step (by the older model) against what the step brought
                Forecast previous = out.get(i - 1);
                RainFrame observed = fs.get(i + T - 1);
                double se = 0;
                int n = 0;
                for (int s = 0; s < observed.stations.length; s++) {
                    float pred = observed.grid().sample(flat(previous), observed.stationLat[s], observed.stationLon[s]);
                    se += (double) (pred - observed.stationRain[s]) * (pred - observed.stationRain[s]);
                    n++;
                }
                assertEquals(n, out.get(i).scoredStations);
                assertEquals(se / n, out.get(i).previousMse, 1e-9, "prequential score of forecast " + (i - 1));
            }
            assertNotEquals(Arrays.deepToString(out.get(0).rainMm), Arrays.deepToString(out.get(out.size() - 1).rainMm));
        }
    }

    /** Mini-batches of 3 drawn from a replay of 4 examples, 2 steps per frame: the replay wraps before the snapshot. */
    static final RegionSettings REPLAYED = new RegionSettings("1h", T, 1, "s-sgd", 0.05, 0.9, 2, 0.01, 500, 0,
            new int[] {4}, new int[] {3}, 3, 4, 2, 10, 3L, "java");

    @Test
    void snapshotAndRestoreContinueExactlyLikeAnUninterruptedRun() throws Exception {
        snapshotAndRestoreContinueExactly(SETTINGS);
    }

    @Test
    void theReplayOfRecentExamplesSurvivesASnapshotAndRestore() throws Exception {
        snapshotAndRestoreContinueExactly(REPLAYED);
    }

    private static void snapshotAndRestoreContinueExactly(RegionSettings settings) throws Exception {
        List<RainFrame> fs = frames(10);
        List<Forecast> uninterrupted;
        try (var h = harness(settings)) {
            h.open();
            uninterrupted = feed(h, fs);
        }
        List<Forecast> resumed = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(settings)) {
            h.open();
            resumed.addAll(feed(h, fs.subList(0, 5)));
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(settings)) {
            h.initializeState(snapshot);
            h.open();
            resumed.addAll(feed(h, fs.subList(5, fs.size())));
        }
        assertEquals(uninterrupted.size(), resumed.size());
        for (int i = 0; i < resumed.size(); i++) {
            assertEquals(uninterrupted.get(i), resumed.get(i), "forecast " + i);
        }
        assertTrue(resumed.get(resumed.size() - 1).modelVersion >= 8);
    }

    @Test
    void aNonFiniteLossSkipsTheUpdateAndLeavesTheModelUnchanged() throws Exception {
        List<RainFrame> fs = frames(8);
        RainFrame broken = fs.get(3);
        broken.values = broken.values.clone();
        broken.values[0] = Float.NaN; // cannot come out of the rasterizer; stands for any non-finite input
        try (var h = harness(SETTINGS)) {
            h.open();
            List<Forecast> out = feed(h, fs);
            // frame 4 learns from the window (2, 3) that holds the NaN: its loss is NaN, the step is skipped
            long before = out.get(4 - T).modelVersion;  // forecast issued at frame 3
            long after = out.get(5 - T).modelVersion;   // forecast issued at frame 4
            assertEquals(before, after, "the update with a NaN loss was skipped");
            Forecast last = out.get(out.size() - 1);
            assertEquals(before + 2, last.modelVersion, "learning resumed once the frame left the window");
            for (float[] row : last.rainMm) {
                for (float v : row) {
                    assertTrue(Float.isFinite(v), "the weights stayed finite");
                }
            }
        }
    }
}
