package dev.tandem.tools.eval;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.models.gearbox.FleetPrediction;
import dev.tandem.models.gearbox.FleetSettings;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.models.gearbox.VibrationManifest;
import dev.tandem.models.rain.Frame;
import dev.tandem.models.rain.Rasterizer;
import dev.tandem.models.rain.RegionLearner;
import dev.tandem.models.rain.RegionSettings;
import dev.tandem.models.rain.StationRain;
import dev.tandem.models.rain.TimeStep;
import dev.tandem.models.rain.WeatherCsv;
import dev.tandem.operators.gearbox.FleetTrainerFunction;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.rain.RainFrame;
import dev.tandem.operators.rain.RegionTrainerFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offline evaluations measure the code the streaming jobs run: the same records through the Flink operator
 * (its test harness, keyed state and all) and through the evaluation's path give the same predictions, bit for bit.
 */
class EvaluationMatchesOperatorTest {
    @TempDir
    Path tmp;

    @Test
    void gearboxEvaluationPredictsEveryWindowExactlyAsTheFleetTrainerOperator() throws Exception {
        GearboxEvaluation.Settings s = new GearboxEvaluation.Settings(1024, 512, 1024, List.of(), null, null, 1, 4,
                1e-3, 3, true, false, false);
        List<float[]> windows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<FleetPrediction> offline = new ArrayList<>();
        GearboxEvaluation eval = new GearboxEvaluation(s, new JavaBackend());
        GearboxEvaluation.Result r = eval.run(VibrationManifest.read(tones()), new GearboxEvaluation.Listener() {
            @Override
            public void observed(float[] window, String label, FleetPrediction p) {
                windows.add(window.clone());
                labels.add(label);
                offline.add(p);
            }
        });
        assertEquals(r.windows(), offline.size(), "every stream window observed once");
        assertTrue(offline.size() >= 12, "a stream long enough to take several optimizer steps: " + offline.size());

        FleetSettings fleet = new FleetSettings(r.classes(), 4, "adam", 1e-3, 0.9, 3, true, "java");
        try (var h = harness(new FleetTrainerFunction(fleet, new GearboxCnnFactory()))) {
            h.open();
            for (int i = 0; i < windows.size(); i++) {
                h.processElement(new StreamRecord<>(window(i, windows.get(i), labels.get(i)), i));
            }
            List<Prediction> streamed = h.extractOutputValues();
            assertEquals(offline.size(), streamed.size());
            for (int i = 0; i < offline.size(); i++) {
                assertArrayEquals(offline.get(i).probabilities(), streamed.get(i).probabilities, "window " + i);
                assertEquals(offline.get(i).modelVersion(), streamed.get(i).modelVersion, "window " + i);
                assertEquals(offline.get(i).modelHash(), streamed.get(i).modelHash, "window " + i);
            }
            assertTrue(streamed.get(streamed.size() - 1).modelVersion >= 2, "the model learned along the way");
        }
    }

    @Test
    void rainfallEvaluationForecastsExactlyAsTheRegionTrainerOperator() throws Exception {
        RegionSettings rs = new RegionSettings("1d", 2, 1, "s-sgd", 0.01, 0.9, 1, 0.001, 100, 5, new int[] {4},
                new int[] {3}, 2, 8, 1, 10, 7, "java");
        WeatherCsv.Table table = WeatherCsv.read(weather());
        RainfallEvaluation.Settings es = new RainfallEvaluation.Settings(TimeStep.DAILY, 2, 1, null, 8, null, null,
                Rasterizer.Settings.DEFAULT, 1, 1, 0.2, 7);
        List<float[]> offline = new ArrayList<>();
        List<RainFrame> frames = new ArrayList<>();
        new RainfallEvaluation(es, RegionLearner.convLstm(rs, new JavaBackend())).run(table,
                new RainfallEvaluation.Listener() {
                    @Override
                    public void observed(Frame frame, StationRain stations, RegionLearner.Step step) {
                        frames.add(rainFrame(frame, stations));
                        if (step.issued() != null) {
                            offline.add(step.issued().rainMm().clone());
                        }
                    }
                });
        assertTrue(offline.size() >= 20, "forecasts issued: " + offline.size());

        try (var h = harness(new RegionTrainerFunction(rs))) {
            h.open();
            for (RainFrame f : frames) {
                h.processElement(new StreamRecord<>(f, f.end));
            }
            List<Forecast> streamed = h.extractOutputValues();
            assertEquals(offline.size(), streamed.size());
            for (int i = 0; i < offline.size(); i++) {
                float[] flat = new float[offline.get(i).length];
                Forecast f = streamed.get(i);
                for (int row = 0; row < f.rainMm.length; row++) {
                    System.arraycopy(f.rainMm[row], 0, flat, row * f.rainMm[row].length, f.rainMm[row].length);
                }
                assertArrayEquals(offline.get(i), flat, "forecast " + i);
            }
            assertTrue(streamed.get(streamed.size() - 1).modelVersion > 10, "the model learned along the way");
        }
    }

    /** The record the rasterizer operator emits for a frame and its stations. */
    private static RainFrame rainFrame(Frame f, StationRain st) {
        RainFrame out = new RainFrame();
        out.region = "k";
        out.step = f.step();
        out.start = TimeStep.DAILY.start(f.step());
        out.end = TimeStep.DAILY.start(f.step() + 1);
        out.setGrid(f.grid());
        out.features = f.features().toArray(new String[0]);
        out.values = f.values();
        out.masks = f.masks();
        out.coverage = f.coverage();
        out.rainMm = f.rainMm();
        out.rainMask = f.rainMask();
        out.stations = st.stations();
        out.stationLat = st.lat();
        out.stationLon = st.lon();
        out.stationRain = st.rainMm();
        return out;
    }

    private static <I, O> KeyedOneInputStreamOperatorTestHarness<String, I, O> harness(
            KeyedProcessFunction<String, I, O> function) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, I, O>(new KeyedProcessOperator<>(function),
                x -> "k", Types.STRING);
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        h.getExecutionConfig().configure(c, EvaluationMatchesOperatorTest.class.getClassLoader());
        return h;
    }

    private static VibrationWindow window(int i, float[] x, String label) {
        int n = x.length / 2;
        float[][] ch = new float[2][n];
        System.arraycopy(x, 0, ch[0], 0, n);
        System.arraycopy(x, n, ch[1], 0, n);
        return new VibrationWindow(1000L + i, "m", "fleet", 1000, ch, label);
    }

    /** Two classes of tone on two channels, 8,000 samples each. */
    private Path tones() throws IOException {
        Path dir = tmp.resolve("gearbox");
        Files.createDirectories(dir);
        StringBuilder manifest = new StringBuilder("file,label,sample_rate_hz,machine\n");
        SplittableRandom rng = new SplittableRandom(4);
        String[] labels = {"healthy", "broken"};
        double[] freq = {0.02, 0.09};
        for (int k = 0; k < 2; k++) {
            StringBuilder sb = new StringBuilder("x,y\n");
            for (int i = 0; i < 8_000; i++) {
                double v = Math.sin(2 * Math.PI * freq[k] * i) + 0.3 * rng.nextGaussian();
                sb.append(String.format(Locale.ROOT, "%.4f,%.4f%n", v, 0.5 * v + 0.3 * rng.nextGaussian()));
            }
            Files.writeString(dir.resolve(labels[k] + ".csv"), sb);
            manifest.append(labels[k]).append(".csv,").append(labels[k]).append(",1000,m0\n");
        }
        Files.writeString(dir.resolve("manifest.csv"), manifest);
        return dir;
    }

    /** 40 days of 6 stations on a small grid, rain and humidity. */
    private Path weather() throws IOException {
        Path f = tmp.resolve("weather.csv");
        StringBuilder sb = new StringBuilder("time,station,lat,lon,rain_mm,humidity_pct\n");
        SplittableRandom rng = new SplittableRandom(9);
        double[][] where = {{-30, 150}, {-31, 151}, {-32, 150.5}, {-30.5, 152}, {-33, 151.5}, {-31.5, 149}};
        for (int d = 0; d < 40; d++) {
            for (int s = 0; s < where.length; s++) {
                double rain = rng.nextDouble() < 0.4 ? rng.nextDouble() * 12 : 0;
                sb.append(String.format(Locale.ROOT, "%d,st%d,%.2f,%.2f,%.1f,%.0f%n", 86_400_000L * (20_000 + d), s,
                        where[s][0], where[s][1], rain, 40 + 50 * rng.nextDouble()));
            }
        }
        Files.writeString(f, sb);
        return f;
    }
}
