package dev.tandem.learning.io;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.nn.Param;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.optim.OptimizerState;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model file ({@link ModelCodec}) that seeds new models: its weights, buffers and — when it holds the state of the
 * same optimizer — the optimizer's state are copied into a freshly built model of the configured architecture,
 * which must match it tensor for tensor. Used where a key has no state yet ({@code gearbox.initial-model},
 * {@code rainfall.initial-model}, {@code eval … --initial-model}); the file typically comes out of a savepoint
 * ({@code tandem export-model}). Holds the file's bytes, so it travels inside a job graph to the TaskManagers.
 */
public final class ModelSeed implements Serializable {
    private static final long serialVersionUID = 1L;
    private final byte[] bytes;
    private final String source;
    private transient ModelCodec.Saved saved;

    private ModelSeed(byte[] bytes, String source, ModelCodec.Saved saved) {
        this.bytes = bytes;
        this.source = source;
        this.saved = saved;
    }

    /** The model file at path; fails when it is missing or not a Tandem model file. */
    public static ModelSeed read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no model file at " + file);
        }
        return of(Files.readAllBytes(file), file.toString());
    }

    /** A model file's bytes, decoded once to check them. */
    public static ModelSeed of(byte[] bytes, String source) throws IOException {
        try {
            return new ModelSeed(bytes.clone(), source, decode(bytes));
        } catch (IOException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    private static ModelCodec.Saved decode(byte[] bytes) throws IOException {
        // values are copied out of it as host arrays, so the reference backend is enough whatever the target's is
        return ModelCodec.read(new ByteArrayInputStream(bytes), new JavaBackend());
    }

    private ModelCodec.Saved saved() {
        if (saved == null) {
            try {
                saved = decode(bytes);
            } catch (IOException e) {
                throw new IllegalStateException(source + ": " + e.getMessage(), e);
            }
        }
        return saved;
    }

    public String source() {
        return source;
    }

    /** The file's bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@link ModelHash} of the file's weights: what a model seeded from it hashes to before it learns. */
    public String hash() {
        return ModelHash.of(saved().model());
    }

    /**
     * A property the file carries ({@link ModelCodec} version 2, e.g. a rainfall model's rain scale), or null: absent,
     * as in every version 1 file.
     */
    public String property(String key) {
        return saved().properties().get(key);
    }

    /** The file's properties (empty for a version 1 file). */
    public Map<String, String> properties() {
        return saved().properties();
    }

    /** Optimizer steps the file's optimizer state had taken (0 without one). */
    public long optimizerStep() {
        OptimizerState s = saved().optimizerState();
        return s == null ? 0 : s.step();
    }

    /**
     * Copies the file's weights and buffers into target, and its optimizer state into state when the file holds
     * the same optimizer's (else state stays as it is: a fresh start of that optimizer from these weights).
     *
     * @return whether the optimizer state was copied too
     * @throws IllegalArgumentException when the architectures differ (input shape, tensor count or shape, dtype)
     */
    public boolean seed(Sequential target, OptimizerState state) {
        Sequential from = saved().model();
        if (from.dtype() != target.dtype()) {
            throw mismatch("dtype " + from.dtype() + ", the configured model's is " + target.dtype());
        }
        if (!Arrays.equals(from.inputShape(), target.inputShape())) {
            throw mismatch("input shape " + Arrays.toString(from.inputShape()) + ", the configured model's is "
                    + Arrays.toString(target.inputShape()));
        }
        List<Tensor> src = from.params().stream().map(Param::value).toList();
        List<Tensor> dst = target.params().stream().map(Param::value).toList();
        checkShapes("parameter", src, dst);
        checkShapes("buffer", from.buffers(), target.buffers());
        OptimizerState saved = saved().optimizerState();
        boolean withOptimizer = saved != null && state != null && saved.optimizer().equals(state.optimizer());
        if (withOptimizer) {
            checkSlots(saved, state);
        }
        copy(src, dst, target);
        copy(from.buffers(), target.buffers(), target);
        if (withOptimizer) {
            state.setStep(saved.step());
            state.scalars().clear();
            state.scalars().putAll(saved.scalars());
            for (Map.Entry<String, List<Tensor>> e : saved.slots().entrySet()) {
                copy(e.getValue(), state.slots().get(e.getKey()), target);
            }
        }
        return withOptimizer;
    }

    private void checkShapes(String what, List<Tensor> src, List<Tensor> dst) {
        if (src.size() != dst.size()) {
            throw mismatch(src.size() + " " + what + " tensors, the configured model has " + dst.size());
        }
        for (int i = 0; i < src.size(); i++) {
            if (!Arrays.equals(src.get(i).shape(), dst.get(i).shape())) {
                throw mismatch(what + " " + i + " of shape " + Arrays.toString(src.get(i).shape())
                        + ", the configured model's is " + Arrays.toString(dst.get(i).shape()));
            }
        }
    }

    private void checkSlots(OptimizerState saved, OptimizerState state) {
        if (!saved.slots().keySet().equals(state.slots().keySet())) {
            throw mismatch(saved.optimizer() + " slots " + saved.slots().keySet() + ", the configured optimizer has "
                    + state.slots().keySet());
        }
        for (Map.Entry<String, List<Tensor>> e : saved.slots().entrySet()) {
            checkShapes(saved.optimizer() + " slot '" + e.getKey() + "'", e.getValue(), state.slots().get(e.getKey()));
        }
    }

    private static void copy(List<Tensor> src, List<Tensor> dst, Sequential target) {
        for (int i = 0; i < src.size(); i++) {
            if (target.dtype() == DType.FLOAT32) {
                target.backend().copyFromHost(src.get(i).toFloatArray(), dst.get(i));
            } else {
                target.backend().copyFromHost(src.get(i).toDoubleArray(), dst.get(i));
            }
        }
    }

    private IllegalArgumentException mismatch(String detail) {
        return new IllegalArgumentException("model file " + source + " does not fit the configured model: it has "
                + detail);
    }
}
