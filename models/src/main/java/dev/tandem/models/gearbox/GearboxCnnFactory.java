package dev.tandem.models.gearbox;

import dev.tandem.models.gearbox.GearboxCnn;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;

/**
 * The fleet model: the default gearbox network of ALGORITHMS.md ({@link GearboxCnn#DEFAULT}, WDCNN-like) for
 * windows of at least {@link GearboxCnn#minimumWindow} samples (1,009); shorter windows (tests, small demos) get
 * {@link #SMALL}, the same architecture with a narrower first convolution and two fewer blocks.
 */
public final class GearboxCnnFactory implements ModelFactory {
    private static final long serialVersionUID = 1L;
    public static final GearboxCnn.Shape SMALL = new GearboxCnn.Shape(16, 32, 8, new int[] {32, 64}, 3, 100);

    @Override
    public Sequential build(Backend backend, int channels, int length, int classes, long seed) {
        GearboxCnn.Shape shape = length >= GearboxCnn.minimumWindow(GearboxCnn.DEFAULT) ? GearboxCnn.DEFAULT : SMALL;
        return GearboxCnn.build(shape, backend, DType.FLOAT32, channels, length, classes, seed);
    }

    /** The shortest window any fleet model accepts. */
    public static int minimumWindow() {
        return GearboxCnn.minimumWindow(SMALL);
    }
}
