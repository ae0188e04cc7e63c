package dev.tandem.backend.cuda;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launch-time argument check reads the committed PTX's parameter lists correctly (no GPU needed). */
class KernelSignaturesTest {
    private static final KernelSignatures SIG = KernelSignatures.parse(new String(CudaRuntime.ptx(),
            StandardCharsets.US_ASCII));

    @Test
    void everyKernelExistsInBothPrecisionsWithTheSameParameters() {
        assertTrue(SIG.size() >= 70, "kernels: " + SIG.size());
        for (String k : new String[] {"fill", "axpby", "gemm", "im2col", "col2im", "lstm_gates_backward",
            "batch_norm_train_forward", "yam_adam_update", "reduce", "softmax_cross_entropy", "dropout_mask", "clamp"}) {
            assertTrue(SIG.of(k + "_f32") != null && SIG.of(k + "_f32").equals(SIG.of(k + "_f64")), k);
        }
    }

    @Test
    void parametersAreReadInOrder() {
        // gemm(int transA, int transB, int m, int n, int k, double alpha, const T* a, const T* b, double beta, T* c)
        assertEquals("44444d88d8", SIG.of("gemm_f32"));
        // counter_uniform(long long seed, long long stride, long long offset, T* out, int n)
        assertEquals("88884", SIG.of("counter_uniform_f64"));
        assertEquals(new CudaBackend.Args().i(0).i(0).i(1).i(1).i(1).d(1).l(0).l(0).d(0).l(0).types(),
                SIG.of("gemm_f64"));
    }

    @Test
    void aMismatchNamesTheKernel() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SIG.check("fill_f32", "84"));
        assertTrue(e.getMessage().contains("fill_f32") && e.getMessage().contains("8d4"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> SIG.check("no_such_kernel", ""));
    }
}
