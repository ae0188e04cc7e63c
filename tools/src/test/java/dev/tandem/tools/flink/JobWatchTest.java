package dev.tandem.tools.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the console shows when checkpoints cannot complete: a job whose keyed state (6 MB) exceeds the JobManager
 * storage's 5 MB — the failure of the rainfall job before checkpoints went to a directory — is reported by
 * {@link JobWatch} with the root cause of the first failure and the restarts that follow.
 */
class JobWatchTest {
    @Test
    void failingCheckpointsAndRestartsAreReportedWithTheirRootCause() throws Exception {
        LocalFlink flink = LocalFlink.of("127.0.0.1");
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "jobmanager");
        c.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = flink.environment(c);
        env.enableCheckpointing(300, CheckpointingMode.EXACTLY_ONCE);
        env.setParallelism(1);
        env.fromSequence(0, Long.MAX_VALUE).map(x -> {
                    Thread.sleep(2);
                    return x;
                }).returns(TypeInformation.of(Long.class))
                .keyBy(x -> 0L, TypeInformation.of(Long.class))
                .process(new BigState()).returns(TypeInformation.of(Long.class))
                .sinkTo(new DiscardingSink<>());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(console, true, StandardCharsets.UTF_8);
        JobClient job = env.executeAsync("too-big-for-the-jobmanager");
        try (JobWatch watch = JobWatch.start(flink.restUrl(), job.getJobID(), "test", err, Duration.ofMillis(300))) {
            long end = System.nanoTime() + 90_000_000_000L;
            while ((watch.failedCheckpoints() == 0 || watch.restarts() == 0 || !console.toString(StandardCharsets.UTF_8)
                    .contains("restarted")) && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            String out = console.toString(StandardCharsets.UTF_8);
            System.err.print(out);
            assertTrue(watch.failedCheckpoints() > 0, out);
            assertTrue(watch.restarts() > 0, out);
            assertTrue(out.contains("test: WARNING checkpoint"), out);
            assertTrue(out.contains("test: WARNING the job restarted"), out);
            assertTrue(watch.firstCause() != null && watch.firstCause().contains("maximum permitted memory-backed state"),
                    "first cause: " + watch.firstCause() + "\n" + out);
        } finally {
            job.cancel().get();
        }
    }

    /** Holds 6 MB of keyed state from the first element on. */
    static final class BigState extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<byte[]> state;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("big", byte[].class));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<Long> out) throws Exception {
            if (state.value() == null) {
                state.update(new byte[6 * 1024 * 1024]);
            }
            out.collect(value);
        }
    }
}
