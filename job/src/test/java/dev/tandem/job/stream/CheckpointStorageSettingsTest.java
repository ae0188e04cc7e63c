package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointStorageSettingsTest {
    /** The BoM grid and features (docs/RAINFALL.md): 16 x 27 cells, 11 features, T = 4, replay 256. */
    static TandemConfig bomSized(String... more) {
        TandemConfig c = TandemConfig.defaults("rainfall.bbox=-38,-30.5,141,154", "rainfall.resolution=0.5",
                "rainfall.features=rain_mm,humidity_pct,pressure_hpa,temp_c,wind_kmh,x1,x2,x3,x4,x5,x6");
        return c.with(more);
    }

    @Test
    void defaultsAreFilesystemStorageInATemporaryDirectoryForLocalRuns() {
        CheckpointStorageSettings s = CheckpointStorageSettings.of(TandemConfig.defaults());
        assertEquals("hashmap", s.backend());
        assertEquals("filesystem", s.storage());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        JobEnvironment.configure(env, TandemConfig.defaults());
        assertEquals("filesystem", env.getConfiguration().get(CheckpointingOptions.CHECKPOINT_STORAGE));
        assertEquals(CheckpointStorageSettings.localDefaultDirectory(),
                env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        assertTrue(CheckpointStorageSettings.localDefaultDirectory().endsWith("tandem-checkpoints/"),
                CheckpointStorageSettings.localDefaultDirectory());
        assertFalse(env.getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS), "hashmap: full snapshots");
    }

    @Test
    void aClusterNeedsACheckpointDirectory() {
        CheckpointStorageSettings s = CheckpointStorageSettings.of(TandemConfig.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.resolveDirectory(new Configuration(), true));
        assertTrue(e.getMessage().contains("job.checkpoint-dir"), e.getMessage());
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://bucket/cp");
        assertEquals("s3://bucket/cp", s.resolveDirectory(cluster, true), "the cluster's own directory");
        assertEquals("hdfs:///x", CheckpointStorageSettings.of(TandemConfig.defaults("job.checkpoint-dir=hdfs:///x"))
                .resolveDirectory(cluster, true), "job.checkpoint-dir first");
    }

    @Test
    void rocksdbGetsIncrementalCheckpoints() {
        Configuration f = CheckpointStorageSettings.of(TandemConfig.defaults("job.state-backend=rocksdb")).toFlink("file:///tmp/x");
        assertEquals("rocksdb", f.get(StateBackendOptions.STATE_BACKEND));
        assertTrue(f.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        assertEquals("file:///tmp/x", f.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
    }

    @Test
    void theEstimateOfTheBomGridIsTheDocumentedFigure() {
        StateEstimate e = StateEstimate.rainfall(bomSized());
        // rainfall.replay auto (daily: 366) x (T auto 4 x 27 + 2) x 432 x 4 B = 69.57 MB of replay, plus frames and the model
        assertTrue(e.bytesPerKey() > 69_570_000 && e.bytesPerKey() < 71_300_000, e.toString());
        assertTrue(e.what().contains("27 channels"), e.what());
        StateEstimate smaller = StateEstimate.rainfall(bomSized("rainfall.replay=32"));
        assertTrue(smaller.bytesPerKey() < e.bytesPerKey() / 10, smaller.toString());
        StateEstimate gearbox = StateEstimate.gearbox(TandemConfig.defaults());
        assertTrue(gearbox.bytesPerKey() > 0 && gearbox.bytesPerKey() < 50_000_000, gearbox.toString());
    }

    @Test
    void jobManagerStorageIsRefusedForStateItCannotHold() throws Exception {
        TandemConfig big = bomSized("job.checkpoint-storage=jobmanager");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointStorageSettings.checkFor(env, big, StateEstimate.rainfall(big)));
        assertTrue(e.getMessage().contains("job.checkpoint-storage=jobmanager") && e.getMessage().contains("rainfall.replay"),
                e.getMessage());
        TandemConfig small = big.with("rainfall.replay=8", "rainfall.batch=2");
        CheckpointStorageSettings.checkFor(env, small, StateEstimate.rainfall(small)); // 1.5 MB: fits
    }

    @Test
    void aLocalDirectoryMustBeWritableAndHoldTheRetainedCheckpoints(@TempDir Path tmp) throws Exception {
        CheckpointStorageSettings s = CheckpointStorageSettings.of(TandemConfig.defaults());
        s.check(new StateEstimate(1, 1000, "tiny"), tmp.resolve("ok").toUri().toString());
        assertTrue(Files.isDirectory(tmp.resolve("ok")), "created");
        IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
                () -> s.check(new StateEstimate(1, Long.MAX_VALUE / 8, "huge"), tmp.toUri().toString()));
        assertTrue(full.getMessage().contains("job.checkpoint-dir") && full.getMessage().contains("free"), full.getMessage());
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class,
                () -> s.check(new StateEstimate(1, 1000, "tiny"), file.resolve("sub").toUri().toString()));
        assertTrue(notDir.getMessage().contains("job.checkpoint-dir"), notDir.getMessage());
        s.check(new StateEstimate(1, Long.MAX_VALUE / 8, "huge"), "s3://bucket/remote"); // remote: not measured
    }

    @Test
    void rocksdbCheckpointsCompleteIncrementallyOnAMiniCluster(@TempDir Path tmp) throws Exception {
        TandemConfig c = TandemConfig.defaults("job.state-backend=rocksdb", "job.checkpoint-dir=" + tmp.toUri(),
                "job.checkpoint-interval-ms=200", "job.checkpoints-retained=3");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        JobEnvironment.configure(env, c);
        env.enableCheckpointing(200, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(0, Long.MAX_VALUE).map(x -> {
                    Thread.sleep(5);
                    return x;
                }).returns(TypeInformation.of(Long.class))
                .keyBy(x -> x % 16, TypeInformation.of(Long.class))
                .process(new Counting()).returns(TypeInformation.of(Long.class))
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("rocksdb-smoke");
        try {
            long end = System.nanoTime() + 60_000_000_000L;
            while (completed(tmp) < 2 && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            assertTrue(completed(tmp) >= 2, "completed rocksdb checkpoints under " + tmp);
            try (Stream<Path> s = Files.walk(tmp)) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("shared")), "incremental: a shared/ folder");
            }
        } finally {
            job.cancel().get();
        }
    }

    private static long completed(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root, 3)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.isRegularFile(p.resolve("_metadata")))
                    .count();
        }
    }

    /** A counter per key: keyed state for the backend to snapshot. */
    static final class Counting extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("n", Long.class));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<Long> out) throws Exception {
            Long n = count.value();
            count.update(n == null ? 1 : n + 1);
            out.collect(value);
        }
    }
}
