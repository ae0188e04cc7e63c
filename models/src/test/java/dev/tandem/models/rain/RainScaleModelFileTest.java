package dev.tandem.models.rain;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.learning.io.ModelHash;
import dev.tandem.learning.io.ModelSeed;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.tandem.models.rain.AdaptiveDefaultsTest.FEATURES;
import static dev.tandem.models.rain.AdaptiveDefaultsTest.GRID;
import static dev.tandem.models.rain.AdaptiveDefaultsTest.frame;
import static dev.tandem.models.rain.AdaptiveDefaultsTest.settings;
import static dev.tandem.models.rain.AdaptiveDefaultsTest.stations;
import static dev.tandem.models.rain.AdaptiveDefaultsTest.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rainfall model file carries the rain scale its ConvLSTM was trained in (model format 2, the property
 * {@link ConvLstmRainForecaster#RAIN_SCALE_PROPERTY}), written as {@code tandem export-model} writes it: a region
 * seeded from it with {@code rain-scale=auto} adopts that scale (and samples nothing), a set value still wins, and a
 * file of format 1 (without it) still seeds, the region then choosing its own scale from its stream.
 */
class RainScaleModelFileTest {

    /** A region (rain scale auto) that has frozen its scale from its stream and learned a while. */
    static RegionState trained(RegionLearner learner) {
        RegionState s = learner.create(GRID, FEATURES, TimeStep.DAILY);
        SplittableRandom rng = new SplittableRandom(11);
        for (int t = 0; t < 40; t++) {
            Frame f = frame(t, step(rng, 4, 0.6, 7));
            learner.observe(s, f, stations(f));
        }
        assertTrue(Double.isFinite(s.convLstmState().rainScale()) && s.version() > 0, "frozen and learning");
        return s;
    }

    /** The model file of a region's ConvLSTM as export-model writes it (ModelOperator.REGION_TRAINER). */
    static byte[] export(RegionState s) throws IOException {
        ConvLstmRainForecaster.State c = s.convLstmState();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, c.model, c.optimizer, ConvLstmRainForecaster.modelProperties(c));
        return out.toByteArray();
    }

    static int version(byte[] file) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(file));
        in.skipBytes(8);
        return in.readInt();
    }

    @Test
    void anExportedModelCarriesItsScaleAndASeededAutoRegionAdoptsIt() throws IOException {
        RegionLearner auto = RegionLearner.convLstm(settings("1d", 2, 8, 0), new JavaBackend());
        RegionState source = trained(auto);
        double scale = source.convLstmState().rainScale();
        byte[] file = export(source);
        assertEquals(2, version(file), "a file with properties is format 2");
        ModelSeed seed = ModelSeed.of(file, "region.model");
        assertEquals(Double.toString(scale), seed.property(ConvLstmRainForecaster.RAIN_SCALE_PROPERTY));
        assertEquals(scale, ConvLstmRainForecaster.rainScaleOf(seed));

        RegionState seeded = auto.withInitialModel(seed).create(GRID, FEATURES, TimeStep.DAILY);
        assertEquals(scale, seeded.convLstmState().rainScale(), "the file's units, at once");
        assertNull(seeded.rainSample, "nothing to sample");
        assertEquals(ModelHash.of(source.convLstmState().model), ModelHash.of(seeded.convLstmState().model));
        assertTrue(seeded.chosen.rainScaleFromFile());
        assertEquals("model file", seeded.chosen.rainScaleSource());
        // the first frame reports it (the job's log line, eval's chosen:), and the ConvLSTM learns from it on
        Frame f0 = frame(0, new float[] {1, 0, 3, 0});
        RegionLearner.Step first = auto.withInitialModel(seed).observe(seeded, f0, stations(f0));
        assertNotNull(first.chosen());
        assertTrue(first.chosen().describe().contains("from the model file region.model"), first.chosen().describe());
        assertEquals(scale, first.chosen().rainScale());
        // a restore reads the scale back from the region's state; a second export carries the same value
        assertEquals(Double.toString(scale), ModelSeed.of(export(seeded), "again")
                .property(ConvLstmRainForecaster.RAIN_SCALE_PROPERTY));
    }

    @Test
    void aSetScaleWinsOverTheFilesAndSaysSo() throws IOException {
        RegionState source = trained(RegionLearner.convLstm(settings("1d", 2, 8, 0), new JavaBackend()));
        double fileScale = source.convLstmState().rainScale();
        ModelSeed seed = ModelSeed.of(export(source), "region.model");
        RegionLearner set = RegionLearner.convLstm(settings("1d", 2, 8, 2.5), new JavaBackend()).withInitialModel(seed);
        RegionState s = set.create(GRID, FEATURES, TimeStep.DAILY);
        assertEquals(2.5, s.convLstmState().rainScale(), "the configured value");
        assertFalse(s.chosen.rainScaleFromFile());
        assertEquals("set", s.chosen.rainScaleSource());
        assertEquals(fileScale, s.chosen.scaleFileMm());
        assertTrue(s.chosen.describe().contains(String.format(java.util.Locale.ROOT,
                "rain scale 2.500 mm (set; the model file region.model was trained at %.4g mm)", fileScale)),
                s.chosen.describe());
    }

    @Test
    void aFileWithoutTheScaleStillLoadsAndTheRegionChoosesItsOwn() throws IOException {
        RegionLearner auto = RegionLearner.convLstm(settings("1d", 2, 8, 0), new JavaBackend());
        RegionState source = trained(auto);
        ConvLstmRainForecaster.State c = source.convLstmState();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(out, c.model, c.optimizer); // as every file before format 2
        byte[] old = out.toByteArray();
        assertEquals(1, version(old), "no properties: format 1, byte for byte as before");
        ModelSeed seed = ModelSeed.of(old, "old.model");
        assertNull(seed.property(ConvLstmRainForecaster.RAIN_SCALE_PROPERTY));
        assertTrue(seed.properties().isEmpty());
        assertTrue(Double.isNaN(ConvLstmRainForecaster.rainScaleOf(seed)));
        RegionState s = auto.withInitialModel(seed).create(GRID, FEATURES, TimeStep.DAILY);
        assertEquals(ModelHash.of(c.model), ModelHash.of(s.convLstmState().model), "the weights seed as before");
        assertTrue(Double.isNaN(s.convLstmState().rainScale()), "auto: the region samples its own");
        assertNotNull(s.rainSample);
        assertEquals("auto", s.chosen.rainScaleSource());
        // a garbled value is refused, naming the file and the property
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        ModelCodec.write(bad, c.model, c.optimizer, Map.of(ConvLstmRainForecaster.RAIN_SCALE_PROPERTY, "-3"));
        ModelSeed badSeed = ModelSeed.of(bad.toByteArray(), "bad.model");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> auto.withInitialModel(badSeed).create(GRID, FEATURES, TimeStep.DAILY));
        assertTrue(e.getMessage().contains("bad.model") && e.getMessage().contains("'-3'"), e.getMessage());
    }
}
