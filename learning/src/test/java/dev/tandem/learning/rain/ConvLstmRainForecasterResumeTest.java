package dev.tandem.learning.rain;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.optim.SalpSgd;
import dev.tandem.learning.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The streaming trainer's needs: learning goes on after a non-finite step, and a restored forecaster continues exactly. */
class ConvLstmRainForecasterResumeTest {
    private static final Grid GRID = new Grid(3, 3, 0, 0, 1, 1);
    private static final List<String> FEATURES = List.of("rain_mm");
    private static final ConvLstmRainForecaster.Settings SMALL =
            new ConvLstmRainForecaster.Settings(new int[] {4}, new int[] {3}, 1, 8, 1, 5.0);

    private static Frame frame(float v) {
        float[] values = new float[GRID.cells()];
        Arrays.fill(values, v);
        float[] ones = new float[GRID.cells()];
        Arrays.fill(ones, 1);
        return new Frame(GRID, 0, FEATURES, values, ones.clone(), ones.clone(), ones.clone(), ones.clone());
    }

    @Test
    void aStepWithANonFiniteLossIsSkippedAndTheNextOneLearnsAgain() {
        ConvLstmRainForecaster f = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(),
                new Sgd(0.05, 0.9, 0), SMALL, 1);
        float[] ones = frame(1).rainMm();
        Frame ok = frame(1);
        Frame nan = frame(Float.NaN);
        f.learn(List.of(ok, ok), ones, ones);
        assertEquals(1, f.optimizerState().step());
        float[] before = f.forecast(List.of(ok, ok));
        f.learn(List.of(ok, nan), ones, ones);
        assertEquals(1, f.optimizerState().step(), "skipped");
        assertEquals(1, f.skippedSteps());
        assertArrayEquals(before, f.forecast(List.of(ok, ok)), "the model is unchanged");
        f.learn(List.of(ok, ok), ones, ones);
        assertEquals(2, f.optimizerState().step(), "the loss's gradient buffer no longer carries the NaN");
        assertFalse(Arrays.equals(before, f.forecast(List.of(ok, ok))));
    }

    @Test
    void aForecasterRestoredFromItsSavedModelContinuesExactly() throws Exception {
        SalpSgd opt = new SalpSgd(0.05, 0.9, 0, 2, 0.01, 100, 2, 0, 4);
        ConvLstmRainForecaster a = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(), opt, SMALL, 4);
        ConvLstmRainForecaster b = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(), opt, SMALL, 4);
        for (int i = 0; i < 3; i++) {
            Frame x = frame(i * 0.3f);
            a.learn(List.of(x, x), x.rainMm(), x.rainMask());
            b.learn(List.of(x, x), x.rainMm(), x.rainMask());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelCodec.write(bytes, b.model(), b.optimizerState());
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(bytes.toByteArray()), new JavaBackend());
        ConvLstmRainForecaster c = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, saved.model(), opt,
                saved.optimizerState(), SMALL, 4, b.learned(), b.skippedSteps(), b.lastLoss(), b.climate());
        assertEquals(3, c.learned());
        for (int i = 3; i < 6; i++) {
            Frame x = frame(i * 0.3f);
            a.learn(List.of(x, x), x.rainMm(), x.rainMask());
            c.learn(List.of(x, x), x.rainMm(), x.rainMask());
        }
        assertArrayEquals(a.forecast(List.of(frame(1), frame(2))), c.forecast(List.of(frame(1), frame(2))));
        assertEquals(a.optimizerState().step(), c.optimizerState().step());
    }
}
