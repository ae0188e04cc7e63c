package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where checkpoints go and what holds the state between them ({@code job.state-backend}, {@code job.checkpoint-*}).
 * Without it Flink keeps checkpoints in the JobManager's heap, at most 5 MB per operator state: the rainfall
 * forecaster's replay (tens of MB per region) made every checkpoint fail, so no exactly-once output was committed
 * again and the job restarted forever. The default is filesystem storage in a directory ({@code job.checkpoint-dir};
 * for local runs {@code <java.io.tmpdir>/tandem-checkpoints}; on a cluster the cluster's
 * {@code execution.checkpointing.dir}, else the start fails). {@link #check} refuses, before the job starts, a
 * storage that cannot hold the expected state ({@link StateEstimate}).
 */
public record CheckpointStorageSettings(String backend, String storage, String directory, boolean incremental,
                                        int retained, int tolerableFailures) {
    /** The JobManager storage's limit per operator state (Flink's {@code JobManagerCheckpointStorage} default). */
    public static final long JOBMANAGER_MAX_STATE_BYTES = 5L * 1024 * 1024;

    public static CheckpointStorageSettings of(TandemConfig c) {
        return new CheckpointStorageSettings(c.string("job.state-backend"), c.string("job.checkpoint-storage"),
                c.string("job.checkpoint-dir").trim(), c.bool("job.incremental-checkpoints"),
                c.integer("job.checkpoints-retained"), c.integer("job.checkpoint-tolerable-failures"));
    }

    /** The checkpoint directory of a local run when job.checkpoint-dir is empty. */
    public static String localDefaultDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "tandem-checkpoints").toUri().toString();
    }

    /** A job submitted to a cluster ({@code flink run}), as opposed to a local mini cluster or a test's. */
    public static boolean onCluster(StreamExecutionEnvironment env) {
        return env instanceof StreamContextEnvironment;
    }

    /**
     * The directory checkpoints go to: job.checkpoint-dir, else the environment's own execution.checkpointing.dir
     * (a cluster's configuration), else the local default; on a cluster without either, the start fails.
     */
    public String resolveDirectory(ReadableConfig envConfig, boolean cluster) {
        if (!directory.isEmpty()) {
            return directory;
        }
        String own = envConfig.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        if (own != null && !own.isBlank()) {
            return own;
        }
        if (cluster) {
            throw new IllegalArgumentException("configuration key job.checkpoint-dir is empty and the cluster sets no "
                    + "execution.checkpointing.dir; allowed: a directory URI every TaskManager and the JobManager can "
                    + "reach (e.g. s3://bucket/tandem/checkpoints, hdfs:///tandem/checkpoints, file:///shared/...)");
        }
        return localDefaultDirectory();
    }

    /** Flink options of these settings (the directory resolved by {@link #resolveDirectory}). */
    public Configuration toFlink(String resolvedDirectory) {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, backend);
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, storage);
        if (storage.equals("filesystem")) {
            c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, resolvedDirectory);
        }
        // hashmap snapshots are always full; the option only matters for rocksdb
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, incremental && backend.equals("rocksdb"));
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, retained);
        c.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, tolerableFailures);
        return c;
    }

    /** Configures env's state backend and checkpoint storage; returns the directory in use (null: jobmanager). */
    public String apply(StreamExecutionEnvironment env) {
        String dir = storage.equals("filesystem") ? resolveDirectory(env.getConfiguration(), onCluster(env)) : null;
        env.configure(toFlink(dir));
        return dir;
    }

    /** {@link #check} of config's settings against the directory env checkpoints to; call before execute. */
    public static void checkFor(StreamExecutionEnvironment env, TandemConfig config, StateEstimate expected) {
        CheckpointStorageSettings s = of(config);
        String dir = s.storage.equals("filesystem") ? s.resolveDirectory(env.getConfiguration(), onCluster(env)) : null;
        s.check(expected, dir);
    }

    /**
     * Refuses a storage that cannot hold {@code expected}: the JobManager's heap beyond its 5 MB per state, or a
     * local checkpoint directory that cannot be created or written, or whose disk has less free space than the
     * retained checkpoints plus the one being written. Remote file systems (s3, hdfs, ...) are not measured.
     */
    public void check(StateEstimate expected, String resolvedDirectory) {
        if (storage.equals("jobmanager")) {
            if (expected.bytesPerKey() > JOBMANAGER_MAX_STATE_BYTES) {
                throw new IllegalArgumentException("job.checkpoint-storage=jobmanager holds at most "
                        + StateEstimate.mb(JOBMANAGER_MAX_STATE_BYTES) + " per operator state, but the "
                        + expected.what() + " is expected to reach " + StateEstimate.mb(expected.bytesPerKey())
                        + "; allowed: job.checkpoint-storage=filesystem (with job.checkpoint-dir), or a smaller state "
                        + "(e.g. lower rainfall.replay)");
            }
            return;
        }
        URI uri = toUri(resolvedDirectory);
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            return;
        }
        Path dir = Path.of(uri);
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("configuration key job.checkpoint-dir: cannot create the checkpoint "
                    + "directory " + dir + " (" + e + "); allowed: a writable directory URI", e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("configuration key job.checkpoint-dir: the checkpoint directory " + dir
                    + " is not writable; allowed: a writable directory URI");
        }
        long needed = (retained + 1L) * expected.totalBytes();
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // the file system does not tell; Flink reports a full disk itself
        }
        if (free < needed) {
            throw new IllegalArgumentException("configuration key job.checkpoint-dir: " + dir + " has "
                    + StateEstimate.mb(free) + " free, but " + (retained + 1) + " checkpoints (job.checkpoints-retained "
                    + retained + " + the one being written) of the " + expected.what() + " need "
                    + StateEstimate.mb(needed) + "; allowed: a directory with more space, or a smaller state");
        }
    }

    private static URI toUri(String dir) {
        try {
            URI uri = URI.create(dir);
            return uri.getScheme() == null ? Path.of(dir).toAbsolutePath().toUri() : uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value '" + dev.tandem.job.config.ConfigKey.quoted(String.valueOf(dir)) + "' for configuration key job.checkpoint-dir; "
                    + "allowed: a directory URI (file:///path, s3://bucket/path, ...) or an absolute path", e);
        }
    }
}
