package dev.tandem.tools.savepoint;

import dev.tandem.job.stream.GearboxJob;
import dev.tandem.job.stream.RainfallJob;
import dev.tandem.tools.flink.LocalFlink;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Models out of a savepoint or a retained checkpoint, through Flink's State Processor API: the keyed state of one
 * {@link ModelOperator} (by its uid) is read with the operator's own state descriptor and serializer, in a small
 * batch job on a local mini cluster, and one key's model comes back as a Tandem model file's bytes
 * ({@code ModelCodec}: the model and its optimizer state, exactly as the state record holds them). A retained
 * incremental RocksDB checkpoint is read with the RocksDB backend, anything else with the hashmap one.
 */
public final class SavepointModels {
    private SavepointModels() {
    }

    /** One key's model: its bytes in model-file format and the keys the operator's state holds. */
    public record Export(String uid, String key, byte[] model, List<String> keys) {
    }

    /**
     * The model of {@code key} in operator {@code uid}'s state.
     *
     * @throws IllegalArgumentException naming the uids with models present when uid is none of them, or the keys
     *                                  present when the key is not one of them
     */
    public static Export export(String path, String uid, String key) throws Exception {
        CheckpointMetadata metadata = metadata(path);
        Set<OperatorID> present = metadata.getOperatorStates().stream()
                .filter(OperatorState::hasSubtaskStates).map(OperatorState::getOperatorID).collect(Collectors.toSet());
        ModelOperator op = ModelOperator.forUid(uid).orElse(null);
        if (op == null || !present.contains(OperatorIdentifier.forUid(uid).getOperatorId())) {
            throw new IllegalArgumentException("invalid value '" + uid + "' for --uid: "
                    + (op == null ? "not an operator with a model" : "no state of it in " + path)
                    + "; uids with models in this savepoint: " + describe(modelUids(present))
                    + " (known model operators: " + String.join(", ", ModelOperator.uids())
                    + "; other operators with state here: " + otherUids(present) + ")");
        }
        Map<String, byte[]> models = read(path, op, key, backendFor(metadata));
        List<String> keys = new ArrayList<>(models.keySet());
        byte[] model = models.get(key);
        if (model == null || model.length == 0) {
            throw new IllegalArgumentException("invalid value '" + key + "' for --key: no " + op.keyName()
                    + " of that name in the state of " + uid + "; " + op.keyName() + "s present: " + describe(keys));
        }
        return new Export(uid, key, model, keys);
    }

    /** The uids of {@link ModelOperator}s whose state the savepoint at path holds. */
    public static List<String> modelUids(String path) throws IOException {
        CheckpointMetadata metadata = metadata(path);
        return modelUids(metadata.getOperatorStates().stream().filter(OperatorState::hasSubtaskStates)
                .map(OperatorState::getOperatorID).collect(Collectors.toSet()));
    }

    private static CheckpointMetadata metadata(String path) throws IOException {
        try {
            return SavepointLoader.loadSavepointMetadata(path);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read a savepoint or retained checkpoint at " + path + " (a folder with a "
                    + "_metadata file): " + e.getMessage(), e);
        }
    }

    private static List<String> modelUids(Set<OperatorID> present) {
        return ModelOperator.uids().stream().filter(u -> present.contains(OperatorIdentifier.forUid(u).getOperatorId()))
                .toList();
    }

    /** Tandem's known uids (every UID_ constant of the job graphs) among the present ones, plus a count of others. */
    private static String otherUids(Set<OperatorID> present) {
        Set<String> named = new TreeSet<>();
        int known = 0;
        for (Class<?> job : List.of(GearboxJob.class, RainfallJob.class)) {
            for (Field f : job.getFields()) {
                if (f.getName().startsWith("UID_") && f.getType() == String.class) {
                    try {
                        String u = (String) f.get(null);
                        if (present.contains(OperatorIdentifier.forUid(u).getOperatorId())
                                && ModelOperator.forUid(u).isEmpty()) {
                            named.add(u);
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        for (String u : ModelOperator.uids()) {
            if (present.contains(OperatorIdentifier.forUid(u).getOperatorId())) {
                known++;
            }
        }
        int unnamed = present.size() - named.size() - known;
        String s = named.isEmpty() ? "" : String.join(", ", named);
        if (unnamed > 0) {
            s += (s.isEmpty() ? "" : ", ") + unnamed + " without a Tandem uid";
        }
        return s.isEmpty() ? "none" : s;
    }

    private static String describe(List<String> xs) {
        return xs.isEmpty() ? "none" : String.join(", ", xs);
    }

    /** RocksDB for incremental (native-format) keyed state, else hashmap (savepoints are in the canonical format). */
    static StateBackend backendFor(CheckpointMetadata metadata) {
        for (OperatorState os : metadata.getOperatorStates()) {
            for (OperatorSubtaskState s : os.getStates()) {
                for (KeyedStateHandle h : s.getManagedKeyedState()) {
                    if (h instanceof IncrementalKeyedStateHandle) {
                        return new EmbeddedRocksDBStateBackend(true);
                    }
                }
            }
        }
        return new HashMapStateBackend();
    }

    /** Every key of the operator's state, with its model bytes for {@code wanted} and an empty array for the rest. */
    private static Map<String, byte[]> read(String path, ModelOperator op, String wanted, StateBackend backend)
            throws Exception {
        Configuration c = LocalFlink.of("127.0.0.1").configuration();
        c.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, c);
        SavepointReader reader = SavepointReader.read(env, path, backend);
        TypeInformation<Tuple2<String, byte[]>> out = Types.TUPLE(Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        Map<String, byte[]> models = new TreeMap<>();
        try (CloseableIterator<Tuple2<String, byte[]>> it = reader
                .readKeyedState(OperatorIdentifier.forUid(op.uid()), new ModelReader(op, wanted), Types.STRING, out)
                .executeAndCollect("tandem export-model " + op.uid())) {
            while (it.hasNext()) {
                Tuple2<String, byte[]> t = it.next();
                models.put(t.f0, t.f1);
            }
        }
        return models;
    }

    /** Reads each key's model state with the operator's descriptor; encodes the wanted key's model only. */
    static final class ModelReader extends KeyedStateReaderFunction<String, Tuple2<String, byte[]>> {
        private final ModelOperator op;
        private final String wanted;
        private transient ValueState<Object> state;

        ModelReader(ModelOperator op, String wanted) {
            this.op = op;
            this.wanted = wanted;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(
                    (org.apache.flink.api.common.state.ValueStateDescriptor<Object>) op.descriptor());
        }

        @Override
        public void readKey(String key, Context ctx, Collector<Tuple2<String, byte[]>> out) throws Exception {
            Object s = state.value();
            out.collect(Tuple2.of(key, s != null && key.equals(wanted) ? op.model(s) : new byte[0]));
        }
    }
}
