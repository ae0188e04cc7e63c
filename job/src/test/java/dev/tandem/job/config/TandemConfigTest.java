package dev.tandem.job.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TandemConfigTest {

    private static String failure(String... sets) {
        return assertThrows(IllegalArgumentException.class, () -> TandemConfig.defaults(sets)).getMessage();
    }

    @Test
    void defaultsFileHoldsExactlyTheKnownKeysAndIsValid() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(Path.of(System.getProperty("user.dir")).resolveSibling("config")
                .resolve("defaults.properties"))) {
            p.load(in);
        }
        assertEquals(TandemConfig.KEYS.stream().map(ConfigKey::name).sorted().toList(),
                p.stringPropertyNames().stream().sorted().toList());
        TandemConfig c = TandemConfig.defaults();
        assertEquals(List.of("healthy", "broken_tooth"), c.classes());
        assertEquals(5, c.alertSettings().k());
        assertEquals(List.of(), c.list("gearbox.fleets"));
    }

    @Test
    void setOverridesAreTypedAndChecked() {
        TandemConfig c = TandemConfig.defaults("gearbox.batch=8", "alert.confidence=0.75", "gearbox.fleets=a, b",
                "gearbox.windows.format=BINARY");
        assertEquals(8, c.integer("gearbox.batch"));
        assertEquals(0.75, c.decimal("alert.confidence"));
        assertEquals(List.of("a", "b"), c.list("gearbox.fleets"));
        assertEquals("binary", c.string("gearbox.windows.format"));
        assertEquals(List.of("gearbox.windows.format", "gearbox.fleets", "gearbox.batch", "alert.confidence"),
                c.overriddenKeys(TandemConfig.defaults()));
    }

    @Test
    void errorsNameTheKeyAndTheAllowedValues() {
        String unknown = failure("gearbox.bach=8");
        assertTrue(unknown.contains("unknown configuration key 'gearbox.bach'") && unknown.contains("gearbox.batch"), unknown);
        assertEquals("invalid value 'eight' for configuration key gearbox.batch; allowed: an integer in [1, 4096]",
                failure("gearbox.batch=eight"));
        assertEquals("invalid value '0' for configuration key gearbox.batch; allowed: an integer in [1, 4096]",
                failure("gearbox.batch=0"));
        assertEquals("invalid value '1.5' for configuration key alert.confidence; allowed: a number in [0, 1]",
                failure("alert.confidence=1.5"));
        assertEquals("invalid value 'xml' for configuration key gearbox.windows.format; allowed: one of json, binary",
                failure("gearbox.windows.format=xml"));
        assertEquals("invalid value 'yes' for configuration key gearbox.normalize; allowed: true or false",
                failure("gearbox.normalize=yes"));
        assertTrue(failure("gearbox.healthy-class=ok").contains("gearbox.healthy-class; allowed: one of gearbox.classes"));
        assertTrue(failure("gearbox.classes=healthy").contains("at least 2"));
        assertTrue(failure("gearbox.window.min=4096", "gearbox.window.max=1024").contains("gearbox.window.min"));
        assertTrue(failure("job.checkpoint-interval-ms=700000").contains("job.transaction-timeout-ms"));
        assertTrue(failure("kafka.bootstrap-servers=").contains("kafka.bootstrap-servers; allowed: non-empty text"));
        assertTrue(failure("novalue").contains("--set needs key=value"));
    }

    @Test
    void overridesFileIsCheckedLikeSet(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("my.properties");
        Files.writeString(f, "alert.k=2\ncompute.backend=java\n");
        TandemConfig c = TandemConfig.load(f, List.of("alert.k=3"));
        assertEquals(3, c.integer("alert.k"), "--set wins over the file");
        assertEquals("java", c.string("compute.backend"));
        Files.writeString(f, "alert.kk=2\n");
        String m = assertThrows(IllegalArgumentException.class, () -> TandemConfig.load(f, List.of())).getMessage();
        assertTrue(m.contains("unknown configuration key 'alert.kk' in " + f), m);
        assertThrows(IOException.class, () -> TandemConfig.load(tmp.resolve("missing.properties"), List.of()));
    }

    @Test
    void aClusterMainTakesSetAndConfigAndNamesWhatIsWrong() throws Exception {
        TandemConfig c = TandemConfig.fromArgs(new String[] {"--set", "rainfall.window=3"});
        assertEquals(3, c.integer("rainfall.window"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.fromArgs(new String[] {"--bogus"})).getMessage().contains("unknown argument --bogus"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TandemConfig.fromArgs(new String[] {"--set"})).getMessage().contains("--set needs a value"));
    }

    @Test
    void windowReplayAndRainScaleDefaultToAutoAndAnExplicitValueWins() {
        TandemConfig d = TandemConfig.defaults();
        assertEquals(0, d.integer("rainfall.window"), "auto reads as 0");
        assertEquals(0, d.integer("rainfall.replay"));
        assertEquals(0.0, d.decimal("rainfall.rain-scale"));
        dev.tandem.models.rain.RegionSettings auto = d.regionSettings();
        assertEquals(0, auto.window());
        assertEquals(0, auto.replay());
        assertEquals(0.0, auto.rainScale());
        dev.tandem.models.rain.RegionSettings set = TandemConfig.defaults("rainfall.window=6", "rainfall.replay=100",
                "rainfall.rain-scale=2.5").regionSettings();
        assertEquals(6, set.window());
        assertEquals(100, set.replay());
        assertEquals(2.5, set.rainScale());
        assertEquals(0, TandemConfig.defaults("rainfall.window=AUTO").integer("rainfall.window"));
        String m = failure("rainfall.window=0");
        assertTrue(m.contains("rainfall.window") && m.contains("auto or an integer in [1, 256]"), m);
        m = failure("rainfall.rain-scale=-1");
        assertTrue(m.contains("rainfall.rain-scale") && m.contains("auto or a number"), m);
        m = failure("rainfall.replay=2", "rainfall.batch=4");
        assertTrue(m.contains("rainfall.replay (2) must be at least rainfall.batch (4)"), m);
    }
}
