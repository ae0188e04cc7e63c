package dev.tandem.tools.savepoint;

import dev.tandem.job.stream.GearboxJob;
import dev.tandem.job.stream.RainfallJob;
import dev.tandem.learning.io.ModelCodec;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.rain.ConvLstmRainForecaster;
import dev.tandem.models.rain.RegionState;
import dev.tandem.operators.gearbox.FleetTrainerFunction;
import dev.tandem.operators.rain.RegionTrainerFunction;
import org.apache.flink.api.common.state.ValueStateDescriptor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The operators whose keyed state holds a model that {@code tandem export-model} can read out of a savepoint: the
 * gearbox fleet trainer (per fleet, {@code FleetStateSerializer}) and the rainfall region trainer (per region,
 * {@code RegionStateSerializer}, the ConvLSTM). Each reads its state with the operator's own descriptor and writes
 * the model with its optimizer state in {@link ModelCodec} format — the same bytes the state record holds inside;
 * a region's file also carries the rain scale its ConvLSTM was trained in (a version-2 property, when chosen).
 * (The Associated Learning stages keep one component each and are not exported.)
 */
public enum ModelOperator {
    FLEET_TRAINER(GearboxJob.UID_TRAINER, "fleet") {
        @Override
        ValueStateDescriptor<?> descriptor() {
            return FleetTrainerFunction.descriptor(BACKEND);
        }

        @Override
        byte[] model(Object state) throws IOException {
            FleetState m = (FleetState) state;
            return encode(m.model, m.optimizerState);
        }
    },
    REGION_TRAINER(RainfallJob.UID_TRAINER, "region") {
        @Override
        ValueStateDescriptor<?> descriptor() {
            return RegionTrainerFunction.descriptor(BACKEND);
        }

        @Override
        byte[] model(Object state) throws IOException {
            ConvLstmRainForecaster.State c = ((RegionState) state).convLstmState();
            if (c == null) {
                throw new IOException("region state without a ConvLSTM forecaster");
            }
            // with the units the model was trained in, so a region seeded from the file reads it alike
            return encode(c.model, c.optimizer, ConvLstmRainForecaster.modelProperties(c));
        }
    };

    /** The reference backend: a model file holds the values bit for bit whatever backend trained them. */
    static final String BACKEND = "java";

    private final String uid;
    private final String keyName;

    ModelOperator(String uid, String keyName) {
        this.uid = uid;
        this.keyName = keyName;
    }

    public String uid() {
        return uid;
    }

    /** What a key of this operator is ("fleet", "region"). */
    public String keyName() {
        return keyName;
    }

    abstract ValueStateDescriptor<?> descriptor();

    /** The model file bytes of one key's state. */
    abstract byte[] model(Object state) throws IOException;

    static byte[] encode(dev.tandem.learning.nn.Sequential model, dev.tandem.learning.optim.OptimizerState state)
            throws IOException {
        return encode(model, state, java.util.Map.of());
    }

    static byte[] encode(dev.tandem.learning.nn.Sequential model, dev.tandem.learning.optim.OptimizerState state,
                         java.util.Map<String, String> properties) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        ModelCodec.write(out, model, state, properties);
        return out.toByteArray();
    }

    public static Optional<ModelOperator> forUid(String uid) {
        return Arrays.stream(values()).filter(o -> o.uid.equals(uid)).findFirst();
    }

    public static List<String> uids() {
        return Arrays.stream(values()).map(ModelOperator::uid).toList();
    }
}
