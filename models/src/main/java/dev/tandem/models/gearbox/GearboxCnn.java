package dev.tandem.models.gearbox;

import dev.tandem.learning.nn.ActivationLayer;
import dev.tandem.learning.nn.BatchNorm;
import dev.tandem.learning.nn.Conv1d;
import dev.tandem.learning.nn.Dense;
import dev.tandem.learning.nn.Flatten;
import dev.tandem.learning.nn.LayerSpec;
import dev.tandem.learning.nn.MaxPool;
import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.ConvGeometry.Padding;
import dev.tandem.learning.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * The default gearbox base network of ALGORITHMS.md (DESIGN, after WDCNN — Zhang et al., Sensors 2017): raw
 * vibration windows [C, L] in, class logits out (the softmax is folded into the loss).
 * <pre>
 * conv 16 × 64, stride 16, same (pad 24 for L = 2048) → BN → ReLU → maxpool 2     2048 → 128 → 64
 * conv 32 × 3, same   → BN → ReLU → maxpool 2                                       64 → 32
 * conv 64 × 3, same   → BN → ReLU → maxpool 2                                       32 → 16
 * conv 64 × 3, same   → BN → ReLU → maxpool 2                                       16 → 8
 * conv 64 × 3, valid  → BN → ReLU → maxpool 2                                        8 → 6 → 3
 * flatten (64·3 = 192) → FC 100 → ReLU → FC classes
 * </pre>
 * As in WDCNN the last convolution has no padding; that gives the "about 57k parameters" of ALGORITHMS.md:
 * 57,382 for 4 channels and 10 classes at L = 2048 ({@link #parameterCount}). With L = 1024 the flattened width
 * is 64·1 = 64 (44,582 parameters for 4 channels); the shortest window it accepts is 1009 samples. The PyTorch peer {@code bench/pytorch/w3_gearbox_cnn.py} builds the same
 * network (TensorFlow "same" padding equals PyTorch's symmetric pad 24 and pad 1 here) and asserts the same count.
 *
 * <p>Channel count, window length and class count come from the data; {@link Shape} also allows smaller variants
 * (the gradient check uses one).
 */
public final class GearboxCnn {
    /** Trainable parameters of the default network for 4 channels, 2048-sample windows and 10 classes. */
    public static final long PARAMETERS_4CH_2048_10 = 57_382L;

    /** Widths of the network; {@link #DEFAULT} is ALGORITHMS.md's. */
    public record Shape(int firstFilters, int firstKernel, int firstStride, int[] filters, int kernel, int hidden) {
        public Shape {
            LayerSpec.require(firstFilters >= 1, "gearbox.first_filters", firstFilters, ">= 1");
            LayerSpec.require(firstKernel >= 1, "gearbox.first_kernel", firstKernel, ">= 1");
            LayerSpec.require(firstStride >= 1, "gearbox.first_stride", firstStride, ">= 1");
            LayerSpec.require(filters != null && filters.length >= 1, "gearbox.filters", filters, "one or more blocks");
            LayerSpec.require(kernel >= 1, "gearbox.kernel", kernel, ">= 1");
            LayerSpec.require(hidden >= 1, "gearbox.hidden", hidden, ">= 1");
            filters = filters.clone();
        }
    }

    public static final Shape DEFAULT = new Shape(16, 64, 16, new int[] {32, 64, 64, 64}, 3, 100);

    private GearboxCnn() {
    }

    /** The default network's layer specs. */
    public static List<LayerSpec> specs(int classes) {
        return specs(DEFAULT, classes);
    }

    public static List<LayerSpec> specs(Shape s, int classes) {
        LayerSpec.require(classes >= 2, "gearbox.classes", classes, ">= 2");
        List<LayerSpec> out = new ArrayList<>();
        block(out, new Conv1d.Spec(s.firstFilters(), s.firstKernel(), s.firstStride(), Padding.SAME));
        for (int i = 0; i < s.filters().length; i++) {
            boolean last = i == s.filters().length - 1;
            block(out, new Conv1d.Spec(s.filters()[i], s.kernel(), 1, last ? Padding.VALID : Padding.SAME));
        }
        out.add(new Flatten.Spec());
        out.add(new Dense.Spec(s.hidden()));
        out.add(ActivationLayer.relu());
        out.add(new Dense.Spec(classes));
        return out;
    }

    private static void block(List<LayerSpec> out, Conv1d.Spec conv) {
        out.add(conv);
        out.add(BatchNorm.Spec.defaults());
        out.add(ActivationLayer.relu());
        out.add(MaxPool.Spec.of1d(2));
    }

    /** The default network for windows of {@code channels} × {@code window} samples. */
    public static Sequential build(Backend backend, DType dtype, int channels, int window, int classes, long seed) {
        return build(DEFAULT, backend, dtype, channels, window, classes, seed);
    }

    public static Sequential build(Shape s, Backend backend, DType dtype, int channels, int window, int classes,
                                   long seed) {
        LayerSpec.require(channels >= 1, "gearbox.channels", channels, ">= 1");
        int min = minimumWindow(s);
        if (window < min) {
            throw new IllegalArgumentException("window = " + window + " samples is too short for the gearbox network; "
                    + "allowed: >= " + min);
        }
        return new Sequential(backend, dtype, new int[] {channels, window}, specs(s, classes), seed);
    }

    /** Length after the convolution and pooling blocks (0 when the window is too short). */
    public static int featureLength(Shape s, int window) {
        int len = (window + s.firstStride() - 1) / s.firstStride() / 2;
        for (int i = 0; i < s.filters().length; i++) {
            boolean last = i == s.filters().length - 1;
            if (last) {
                if (len < s.kernel()) {
                    return 0;
                }
                len = len - s.kernel() + 1;
            }
            len /= 2;
        }
        return len;
    }

    /** The shortest window the network accepts. */
    public static int minimumWindow(Shape s) {
        int lo = 1;
        int hi = 1;
        while (featureLength(s, hi) < 1) {
            hi *= 2;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (featureLength(s, mid) >= 1) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Trainable parameters, computed from the shapes (no model is built). */
    public static long parameterCount(Shape s, int channels, int window, int classes) {
        long n = 0;
        int in = channels;
        n += (long) s.firstFilters() * in * s.firstKernel() + s.firstFilters() + 2L * s.firstFilters();
        in = s.firstFilters();
        for (int f : s.filters()) {
            n += (long) f * in * s.kernel() + f + 2L * f;
            in = f;
        }
        long flat = (long) in * featureLength(s, window);
        n += flat * s.hidden() + s.hidden();
        n += (long) s.hidden() * classes + classes;
        return n;
    }

    public static long parameterCount(int channels, int window, int classes) {
        return parameterCount(DEFAULT, channels, window, classes);
    }
}
