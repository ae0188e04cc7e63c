package dev.tandem.tools.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Option and configuration errors of demo, run and replay fail at once, naming the option or key. */
class StreamingCliTest {
    private static String fails(String... args) {
        picocli.CommandLine cl = Tandem.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code = cl.execute(args);
        assertEquals(2, code, err.toString());
        return err.toString();
    }

    @Test
    void badOptionsAndKeysAreNamed() {
        assertTrue(fails("demo", "--duration", "-1").contains("invalid value -1 for --duration; allowed: >= 0"));
        assertTrue(fails("demo", "--rate", "0").contains("for --rate"));
        assertTrue(fails("demo", "--set", "alert.k=0")
                .contains("invalid value '0' for configuration key alert.k; allowed: an integer in [1, 100000]"));
        assertTrue(fails("run", "gearbox", "--set", "gearbox.batch=eight")
                .contains("invalid value 'eight' for configuration key gearbox.batch"));
        assertTrue(fails("run", "gearbox", "--set", "no.such.key=1").contains("unknown configuration key 'no.such.key'"));
        assertTrue(fails("run", "nonsense").contains("unknown job 'nonsense'; allowed: gearbox, rainfall"));
        assertTrue(fails("run", "rainfall", "--set", "rainfall.step=fortnightly")
                .contains("invalid value 'fortnightly' for configuration key rainfall.step"));
        assertTrue(fails("run", "rainfall", "--set", "rainfall.bbox=1,2,3")
                .contains("invalid value '1,2,3' for configuration key rainfall.bbox"));
        assertTrue(fails("run", "rainfall", "--set", "rainfall.optimizer=lbfgs")
                .contains("rainfall.optimizer; allowed: one of sgd, adam, yamadam, lrsgd-c, lrsgd-r, s-sgd"));
        assertTrue(fails("run", "rainfall", "--set", "rainfall.kernels=4,3").contains("rainfall.kernels; allowed: odd"));
        assertTrue(fails("demo", "--weather-rate", "0").contains("for --weather-rate"));
        assertTrue(fails("replay", "weather", "--data", "x.csv", "--bootstrap", "h:1", "--rate", "0").contains("for --rate"));
        assertTrue(fails("bench", "w5", "--duration", "1").contains("invalid value 1.0 for --duration; allowed: [4, 3600]"));
        assertTrue(fails("replay", "gearbox", "--data", ".", "--bootstrap", "h:1", "--rate", "0").contains("for --rate"));
        assertTrue(fails("replay", "gearbox", "--bootstrap", "h:1").contains("--data"));
    }
}
