package dev.tandem.tools.flink;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The logging `tandem run` and `demo` start with (src/main/resources/log4j2.properties, through the real log4j2
 * binding) shows a failure: a job on the mini cluster whose task throws once and restarts leaves on the console the
 * job's restart and the exception, and in the log file the whole stack trace; Tandem's INFO lines pass, while
 * Flink's routine INFO lines (one per task per state at every start) and DEBUG lines stay off the console.
 */
class LogsShowFailuresTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

    /** Throws on the 20th record of the first attempt only (the mini cluster runs in this JVM). */
    static final class FailsOnce implements MapFunction<Long, Long> {
        @Override
        public Long map(Long v) {
            if (v == 20 && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at record 20",
                        new java.io.IOException("the root cause of the injected failure"));
            }
            return v;
        }
    }

    @Test
    void aRestartAndItsExceptionReachTheConsole(@TempDir Path tmp) throws Exception {
        Path logFile = tmp.resolve("tandem.log");
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        URI testConfig = context.getConfigLocation();
        String fileBefore = System.getProperty(FlinkLog.FILE_PROPERTY);
        PrintStream err = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try {
            System.setProperty(FlinkLog.FILE_PROPERTY, logFile.toString());
            System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
            context.setConfigLocation(LogsShowFailuresTest.class.getClassLoader().getResource("log4j2.properties").toURI());

            LoggerFactory.getLogger("dev.tandem.tools.flink.LogsShowFailuresTest").info("tandem info line");
            LoggerFactory.getLogger("dev.tandem.tools.flink.LogsShowFailuresTest").debug("tandem debug line");
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            env.fromSequence(1, 50).map(new FailsOnce()).name("fails-once").sinkTo(new DiscardingSink<>());
            env.execute("fails-once-then-finishes");
        } finally {
            System.setErr(err);
            if (fileBefore == null) {
                System.clearProperty(FlinkLog.FILE_PROPERTY);
            } else {
                System.setProperty(FlinkLog.FILE_PROPERTY, fileBefore);
            }
            context.setConfigLocation(testConfig);
        }
        assertTrue(FAILED_ONCE.get(), "the job failed once");
        String out = console.toString(StandardCharsets.UTF_8);
        String why = "\n--- console ---\n" + out;
        Files.writeString(Path.of("target", "console-of-a-restart.txt"), out); // what docs/STREAMING.md shows
        assertTrue(out.contains("tandem info line"), "Tandem's INFO on the console" + why);
        assertFalse(out.contains("tandem debug line"), "no DEBUG by default" + why);
        assertTrue(out.matches("(?s).*switched from state RUNNING to RESTARTING.*"), "the restart on the console" + why);
        assertTrue(out.contains("injected failure at record 20"), "the exception on the console" + why);
        assertTrue(out.contains("the root cause of the injected failure"), "its root cause on the console" + why);
        assertFalse(out.contains("switched from CREATED to SCHEDULED"), "Flink's per-task INFO lines stay off" + why);
        assertFalse(out.contains("at org.apache.flink.runtime.taskmanager.Task.run("),
                "the console shows an exception's first lines, not the whole trace" + why);
        String file = Files.readString(logFile, StandardCharsets.UTF_8);
        assertTrue(file.contains("switched from state RUNNING to RESTARTING"), "the restart in the log file");
        assertTrue(file.contains("at dev.tandem.tools.flink.LogsShowFailuresTest$FailsOnce.map"),
                "the whole stack trace in the log file:\n" + file);
        assertTrue(FlinkLog.LOG_LINE_START.matcher(file.lines().findFirst().orElse("")).find(),
                "the file's lines start as FlinkLog parses them: " + file.lines().findFirst().orElse(""));
    }
}
