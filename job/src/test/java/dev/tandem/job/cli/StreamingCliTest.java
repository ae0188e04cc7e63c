package dev.tandem.job.cli;

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
        assertTrue(fails("run", "rainfall").contains("unknown job 'rainfall'; allowed: gearbox"));
        assertTrue(fails("replay", "gearbox", "--data", ".", "--bootstrap", "h:1", "--rate", "0").contains("for --rate"));
        assertTrue(fails("replay", "gearbox", "--bootstrap", "h:1").contains("--data"));
    }
}
