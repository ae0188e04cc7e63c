package dev.tandem.tools.eval;

import dev.tandem.models.mnist.MnistDigits;
import dev.tandem.learning.tensor.Backends;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The eval path end to end on a short budget: the toolkit CNN learns digits it is then scored on, unseen. */
class MnistEvaluationTest {

    @Test
    void oneShortEpochAlreadyRecognisesMostUnseenDigits() throws Exception {
        MnistDigits digits = MnistDigits.load(MnistDigits.locate());
        MnistEvaluation.Settings settings = new MnistEvaluation.Settings(1, 32, "sgd", 0.05, 0.9, 2, 42, 1, 1500);
        List<Double> epochAccuracies = new ArrayList<>();
        MnistEvaluation.Result r = new MnistEvaluation(settings, Backends.choose("auto").backend()).run(digits,
                new MnistEvaluation.Listener() {
                    @Override
                    public void progress(int epoch, int done, int total, double loss, double samplesPerSecond) {
                    }

                    @Override
                    public void epochEnd(int epoch, double loss, double testAccuracy, double seconds) {
                        epochAccuracies.add(testAccuracy);
                    }
                });
        assertEquals(8500, r.testCount(), "every digit outside the 1,500 trained on is scored");
        assertEquals(1663436, r.params());
        assertTrue(r.accuracy() > 0.85, "accuracy after 1,500 digits: " + r.accuracy());
        assertEquals(List.of(r.accuracy()), epochAccuracies);
    }

    @Test
    void shiftedDigitsKeepTheirInkAndMoveByTheOffset() {
        float[] img = new float[28 * 28];
        img[10 * 28 + 10] = 1f;
        float[] out = new float[28 * 28];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        MnistEvaluation.shifted(img, 28, 28, rng, 2, out, 0);
        int at = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 1f) {
                at = i;
            }
        }
        assertTrue(at >= 0, "the ink pixel survives a shift of at most 2");
        assertTrue(Math.abs(at / 28 - 10) <= 2 && Math.abs(at % 28 - 10) <= 2);
    }
}
