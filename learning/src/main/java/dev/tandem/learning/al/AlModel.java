package dev.tandem.learning.al;

import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.CounterRng;
import dev.tandem.learning.tensor.DType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * L AL components chained in one process: component l reads s_{l-1} and t_{l-1} from component l-1 (s_0 = x,
 * t_0 = y). Component l's weights derive from (model seed, l), so a stage that builds only component l from the
 * same architecture and seed holds exactly the weights this model would.
 */
public final class AlModel {
    private final int[] inputShape;
    private final int targetWidth;
    private final List<AlComponent> components;

    public AlModel(int[] inputShape, int targetWidth, List<AlComponent> components) {
        this.inputShape = inputShape.clone();
        this.targetWidth = targetWidth;
        this.components = Collections.unmodifiableList(new ArrayList<>(components));
        if (components.isEmpty()) {
            throw new IllegalArgumentException("an AL model needs at least one component");
        }
        for (int i = 0; i < components.size(); i++) {
            AlComponent c = components.get(i);
            if (c.index() != i) {
                throw new IllegalArgumentException("component at position " + i + " has index " + c.index());
            }
            int[] expected = i == 0 ? this.inputShape : components.get(i - 1).stateOutputShape();
            int expectedLabels = i == 0 ? targetWidth : components.get(i - 1).labelWidth();
            if (dev.tandem.learning.tensor.Shapes.size(c.stateInputShape()) != dev.tandem.learning.tensor.Shapes.size(expected)
                    || c.labelInputWidth() != expectedLabels) {
                throw new IllegalArgumentException("component " + (i + 1) + " does not fit its predecessor");
            }
        }
    }

    public static AlModel create(AlArchitecture arch, Backend backend, DType dtype, long seed, AlOptimizers optimizers) {
        List<AlComponent> out = new ArrayList<>();
        int[] shape = arch.inputShape();
        int labels = arch.targetWidth();
        for (int i = 0; i < arch.depth(); i++) {
            AlComponent c = createComponent(arch, i, backend, dtype, seed, optimizers, shape, labels);
            out.add(c);
            shape = c.stateOutputShape();
            labels = c.labelWidth();
        }
        return new AlModel(arch.inputShape(), arch.targetWidth(), out);
    }

    /**
     * Component {@code index} alone, as {@link #create} would build it: what a pipeline stage holds. Builds the
     * predecessors' encoders only to learn the input shapes.
     */
    public static AlComponent createComponent(AlArchitecture arch, int index, Backend backend, DType dtype, long seed,
                                              AlOptimizers optimizers) {
        AlModel shapes = create(new AlArchitecture(arch.inputShape(), arch.targetWidth(),
                arch.components().subList(0, index + 1), AlInit.FAN_IN_UNIFORM), backend, dtype, seed, optimizers);
        AlComponent c = shapes.components().get(index);
        return createComponent(arch, index, backend, dtype, seed, optimizers, c.stateInputShape(), c.labelInputWidth());
    }

    private static AlComponent createComponent(AlArchitecture arch, int index, Backend backend, DType dtype, long seed,
                                               AlOptimizers optimizers, int[] shape, int labels) {
        return AlComponent.create(index, arch.components().get(index), backend, dtype, shape, labels,
                componentSeed(seed, index), arch.init(), optimizers);
    }

    /** The seed of component {@code index} of a model seeded with {@code seed}. */
    public static long componentSeed(long seed, int index) {
        return CounterRng.mix(seed ^ 0x414C4D4F44454CL, index);
    }

    public List<AlComponent> components() {
        return components;
    }

    public AlComponent component(int index) {
        return components.get(index);
    }

    public int depth() {
        return components.size();
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int targetWidth() {
        return targetWidth;
    }

    /** Every trainable parameter of every f, b, g, h. */
    public long parameterCount() {
        long n = 0;
        for (AlComponent c : components) {
            n += c.parameterCount();
        }
        return n;
    }

    /** Parameters inference uses: every f_l and h_l, and b_L. */
    public long inferenceParameterCount() {
        long n = components.get(components.size() - 1).bridge().parameterCount();
        for (AlComponent c : components) {
            n += c.encoder().parameterCount() + c.labelDecoder().parameterCount();
        }
        return n;
    }
}
