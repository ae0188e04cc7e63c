package dev.tandem.learning.al;

import dev.tandem.learning.nets.ToolkitCnn;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.tandem.learning.al.AlFixtures.BACKEND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standard AL networks express the gearbox and toolkit CNNs, and their baselines match in size. */
class AlNetsTest {
    /** Encoders of the default gearbox network: its 57,382 parameters (4 channels, 10 classes) less FC 100 → 10. */
    private static final long GEARBOX_ENCODER_PARAMETERS = 57_382L - (100 * 10 + 10);

    private static long encoderParameters(AlModel m) {
        long n = 0;
        for (AlComponent c : m.components()) {
            n += c.encoder().parameterCount();
        }
        return n;
    }

    private static Tensor random(int n, int[] shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int per = dev.tandem.learning.tensor.Shapes.size(shape);
        float[] v = new float[n * per];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return BACKEND.fromHost(v, dev.tandem.learning.tensor.Shapes.prepend(n, shape));
    }

    private static Tensor oneHot(int n, int classes) {
        float[] v = new float[n * classes];
        for (int i = 0; i < n; i++) {
            v[i * classes + i % classes] = 1;
        }
        return BACKEND.fromHost(v, n, classes);
    }

    private static void trainsAndPredicts(AlModel m, int classes) {
        Tensor x = random(2, m.inputShape(), 1);
        AlTrainer.Losses l = new AlTrainer(m).step(x, oneHot(2, classes));
        for (int i = 0; i < m.depth(); i++) {
            assertTrue(Double.isFinite(l.association()[i]) && Double.isFinite(l.autoencoder()[i]), "losses of " + i);
        }
        Tensor y = AlInference.of(m).predict(x);
        assertArrayEquals(new int[] {2, classes}, y.shape());
    }

    @Test
    void gearboxNetworkAsSixComponents() {
        AlArchitecture arch = AlNets.gearboxCnn(AlNets.GearboxShape.DEFAULT, 4, 2048, 10,
                AlNets.Options.defaults(AlNets.LABEL_WIDTH_ICLR));
        AlModel m = AlModel.create(arch, BACKEND, DType.FLOAT32, 1, AlOptimizers.defaults());
        assertEquals(6, m.depth());
        assertEquals(GEARBOX_ENCODER_PARAMETERS, encoderParameters(m), "the encoders are the gearbox network's layers");
        int[][] states = {{16, 64}, {32, 32}, {64, 16}, {64, 8}, {64, 3}, {100}};
        for (int i = 0; i < states.length; i++) {
            assertArrayEquals(states[i], m.component(i).stateOutputShape(), "s_" + (i + 1));
            assertEquals(128, m.component(i).labelWidth());
        }
        trainsAndPredicts(m, 10);
        BackpropBaseline.Baseline b = BackpropBaseline.matching(m, arch.init(), Activation.RELU, 1);
        System.out.println("gearbox AL: " + m.parameterCount() + " parameters (inference path "
                + m.inferenceParameterCount() + "); " + b.describe());
        assertTrue(b.relativeDifference() <= BackpropBaseline.TOLERANCE, b.describe());
    }

    @Test
    void toolkitCnnAsThreeComponents() {
        AlArchitecture arch = AlNets.toolkitCnn(10, AlNets.Options.defaults(AlNets.LABEL_WIDTH_CNN));
        AlModel m = AlModel.create(arch, BACKEND, DType.FLOAT32, 1, AlOptimizers.defaults());
        assertEquals(3, m.depth());
        assertEquals(ToolkitCnn.PARAMETERS - (512 * 10 + 10), encoderParameters(m),
                "the encoders are the toolkit CNN's layers but its last");
        assertArrayEquals(new int[] {32, 14, 14}, m.component(0).stateOutputShape());
        assertArrayEquals(new int[] {64, 7, 7}, m.component(1).stateOutputShape());
        assertArrayEquals(new int[] {512}, m.component(2).stateOutputShape());
        trainsAndPredicts(m, 10);
        BackpropBaseline.Baseline b = BackpropBaseline.matching(m, arch.init(), Activation.RELU, 1);
        System.out.println("toolkit CNN AL: " + m.parameterCount() + " parameters (inference path "
                + m.inferenceParameterCount() + "); " + b.describe());
        assertTrue(b.relativeDifference() <= BackpropBaseline.TOLERANCE, b.describe());
        Sequential net = b.network();
        assertEquals(b.baselineParameters(), net.parameterCount());
        assertArrayEquals(new int[] {10}, net.outputShape());
    }

    @Test
    void mlpBaselineMatches() {
        AlArchitecture arch = AlNets.mlp(new int[] {784}, new int[] {1024, 1024, 1024}, 10,
                AlNets.Options.defaults(AlNets.LABEL_WIDTH_MLP));
        AlModel m = AlModel.create(arch, BACKEND, DType.FLOAT32, 1, AlOptimizers.defaults());
        BackpropBaseline.Baseline b = BackpropBaseline.matching(m, arch.init(), Activation.ELU, 1);
        System.out.println("MLP AL: " + m.parameterCount() + " parameters; " + b.describe());
        assertTrue(b.relativeDifference() <= BackpropBaseline.TOLERANCE, b.describe());
    }

    @Test
    void invalidNetworksFailNamingTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AlNets.Options(0, DecoderLoss.MSE, Activation.SIGMOID, 1024, AlInit.HE_NORMAL));
        assertTrue(e.getMessage().contains("al.label_width"), e.getMessage());
        AlArchitecture ok = AlFixtures.smallConvNet(DecoderLoss.MSE);
        ComponentSpec second = ok.components().get(1);
        ComponentSpec ce = new ComponentSpec(second.encoder(), second.bridge(), second.labelEncoder(),
                second.labelDecoder(), DecoderLoss.SOFTMAX_CROSS_ENTROPY);
        e = assertThrows(IllegalArgumentException.class, () -> new AlArchitecture(ok.inputShape(), ok.targetWidth(),
                java.util.List.of(ok.components().get(0), ce), AlInit.HE_NORMAL));
        assertTrue(e.getMessage().contains("al.decoder_loss[2]"), e.getMessage());
        ComponentSpec first = ok.components().get(0);
        ComponentSpec badBridge = new ComponentSpec(first.encoder(), java.util.List.of(new dev.tandem.learning.nn.Flatten.Spec(),
                new dev.tandem.learning.nn.Dense.Spec(4)), first.labelEncoder(), first.labelDecoder(), DecoderLoss.MSE);
        e = assertThrows(IllegalArgumentException.class, () -> AlModel.create(new AlArchitecture(ok.inputShape(),
                ok.targetWidth(), java.util.List.of(badBridge), AlInit.HE_NORMAL), BACKEND, DType.FLOAT32, 1,
                AlOptimizers.defaults()));
        assertTrue(e.getMessage().contains("bridge"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlNets.gearboxCnn(AlNets.GearboxShape.DEFAULT, 4, 512, 10,
                AlNets.Options.defaults(64)));
        assertTrue(e.getMessage().contains("window = 512"), e.getMessage());
        AlNets.gearboxCnn(AlNets.GearboxShape.DEFAULT, 4, 1009, 10, AlNets.Options.defaults(64));
        assertThrows(IllegalArgumentException.class, () -> AlNets.gearboxCnn(AlNets.GearboxShape.DEFAULT, 4, 1008, 10,
                AlNets.Options.defaults(64)));
    }
}
