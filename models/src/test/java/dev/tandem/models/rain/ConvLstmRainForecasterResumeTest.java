package dev.tandem.models.rain;

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
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    /** Mini-batches of 3 from a replay of 4: after 6 examples the replay has wrapped around. */
    private static final ConvLstmRainForecaster.Settings REPLAYED =
            new ConvLstmRainForecaster.Settings(new int[] {4}, new int[] {3}, 3, 4, 2, 5.0);

    private static ConvLstmRainForecaster restored(ConvLstmRainForecaster b, SalpSgd opt,
                                                   ConvLstmRainForecaster.Settings settings,
                                                   ConvLstmRainForecaster.Replay replay) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelCodec.write(bytes, b.model(), b.optimizerState());
        ModelCodec.Saved saved = ModelCodec.read(new ByteArrayInputStream(bytes.toByteArray()), new JavaBackend());
        return new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, opt, settings, 4, ConvLstmRainForecaster.State.restored(
                saved.model(), saved.optimizerState(), b.learned(), b.skippedSteps(), b.lastLoss(), b.climate(), replay));
    }

    private static void learn(ConvLstmRainForecaster f, int from, int to) {
        for (int i = from; i < to; i++) {
            Frame x = frame(i * 0.3f);
            Frame y = frame((i % 3) * 0.7f);
            f.learn(List.of(x, y), y.rainMm(), y.rainMask());
        }
    }

    private static float[] probe(ConvLstmRainForecaster f) {
        return f.forecast(List.of(frame(1), frame(2)));
    }

    @Test
    void aForecasterRestoredFromItsSavedModelAndReplayContinuesExactly() throws Exception {
        SalpSgd opt = new SalpSgd(0.05, 0.9, 0, 2, 0.01, 100, 2, 0, 4);
        ConvLstmRainForecaster a = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(), opt, REPLAYED, 4);
        ConvLstmRainForecaster b = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(), opt, REPLAYED, 4);
        learn(a, 0, 6);
        learn(b, 0, 6);
        ConvLstmRainForecaster.Replay replay = b.replay();
        assertEquals(6, replay.stored());
        assertEquals(4, replay.slots().size(), "the replay holds its capacity");
        ConvLstmRainForecaster c = restored(b, opt, REPLAYED, replay);
        ConvLstmRainForecaster empty = restored(b, opt, REPLAYED, ConvLstmRainForecaster.Replay.EMPTY);
        assertEquals(6, c.learned());
        learn(a, 6, 9);
        learn(c, 6, 9);
        learn(empty, 6, 9);
        assertArrayEquals(probe(a), probe(c));
        assertEquals(a.optimizerState().step(), c.optimizerState().step());
        assertEquals(a.replay().stored(), c.replay().stored());
        assertFalse(Arrays.equals(probe(a), probe(empty)), "without its replay the restored forecaster draws other "
                + "mini-batches: the replay is what makes the continuation exact");
    }

    @Test
    void aReplaySavedUnderAnotherCapacityKeepsTheNewestExamples() throws Exception {
        SalpSgd opt = new SalpSgd(0.05, 0.9, 0, 2, 0.01, 100, 2, 0, 4);
        ConvLstmRainForecaster b = new ConvLstmRainForecaster(GRID, FEATURES, 2, 1, new JavaBackend(), opt, REPLAYED, 4);
        learn(b, 0, 6); // example i went to slot i mod 4: the slots hold examples [4, 5, 2, 3]
        ConvLstmRainForecaster.Settings smaller =
                new ConvLstmRainForecaster.Settings(new int[] {4}, new int[] {3}, 3, 3, 2, 5.0);
        ConvLstmRainForecaster c = restored(b, opt, smaller, b.replay());
        ConvLstmRainForecaster.Replay kept = c.replay();
        assertEquals(3, kept.stored());
        List<ConvLstmRainForecaster.Example> was = b.replay().slots();
        // the newest three, oldest first: examples 3, 4, 5 = old slots 3, 0, 1
        assertEquals(List.of(was.get(3), was.get(0), was.get(1)), kept.slots());
        assertThrows(IllegalArgumentException.class, () -> restored(b, opt, REPLAYED,
                new ConvLstmRainForecaster.Replay(2, was)), "more examples than were ever stored");
    }
}
