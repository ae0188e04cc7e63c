package dev.tandem.learning.nn;

import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The configuration of a layer: plain data that builds the layer for a per-example input shape, and that the
 * model codec writes and reads. Invalid values fail here, naming the parameter and the allowed range.
 */
public interface LayerSpec {

    /** Builds the layer for inputs of the given per-example shape, initialising weights from seed. */
    Layer build(Backend backend, DType dtype, int[] inputShape, long seed);

    /** Stable tag of the codec. */
    String tag();

    void write(DataOutput out) throws IOException;

    static LayerSpec read(DataInput in) throws IOException {
        String tag = in.readUTF();
        return switch (tag) {
            case "dense" -> new Dense.Spec(in.readInt());
            case "conv2d" -> new Conv2d.Spec(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                    Padding.valueOf(in.readUTF()));
            case "conv1d" -> new Conv1d.Spec(in.readInt(), in.readInt(), in.readInt(), Padding.valueOf(in.readUTF()));
            case "batchnorm" -> new BatchNorm.Spec(in.readDouble(), in.readDouble());
            case "maxpool" -> new MaxPool.Spec(in.readInt(), in.readInt());
            case "dropout" -> new Dropout.Spec(in.readDouble());
            case "activation" -> new ActivationLayer.Spec(Activation.valueOf(in.readUTF()));
            case "adaptive_activation" -> new AdaptiveActivation.Spec(Activation.valueOf(in.readUTF()),
                    AdaptiveActivation.Mode.valueOf(in.readUTF()), in.readDouble());
            case "softmax" -> new Softmax.Spec();
            case "flatten" -> new Flatten.Spec();
            case ConvLstmSpec.TAG -> ConvLstmSpec.read(in);
            default -> throw new IOException("unknown layer tag '" + tag + "' in model file");
        };
    }

    static void require(boolean ok, String parameter, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(parameter + " = " + value + " is out of range; allowed: " + allowed);
        }
    }
}
