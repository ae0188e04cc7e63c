package dev.tandem.learning.nn;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class WorkspaceTest {
    private final Backend backend = new JavaBackend();

    @Test
    void alternatingBetweenTwoShapesReusesBothBuffers() {
        Workspace w = new Workspace();
        Tensor single = w.ensure(backend, DType.FLOAT32, 1, 4, 8);
        Tensor batch = w.ensure(backend, DType.FLOAT32, 16, 4, 8);
        assertNotSame(single, batch);
        for (int i = 0; i < 3; i++) {
            assertSame(single, w.ensure(backend, DType.FLOAT32, 1, 4, 8));
            assertSame(single, w.ensure(backend, DType.FLOAT32, 1, 4, 8));
            assertSame(batch, w.ensure(backend, DType.FLOAT32, 16, 4, 8));
        }
        assertArrayEquals(new int[] {16, 4, 8}, batch.shape());
    }

    @Test
    void aThirdShapeReplacesTheLeastRecentlyUsed() {
        Workspace w = new Workspace();
        Tensor a = w.ensure(backend, DType.FLOAT32, 1, 3);
        Tensor b = w.ensure(backend, DType.FLOAT32, 2, 3);
        assertSame(a, w.ensure(backend, DType.FLOAT32, 1, 3)); // a is now the most recent
        Tensor c = w.ensure(backend, DType.FLOAT32, 3, 3); // evicts b
        assertSame(a, w.ensure(backend, DType.FLOAT32, 1, 3));
        assertSame(c, w.ensure(backend, DType.FLOAT32, 3, 3));
        assertNotSame(b, w.ensure(backend, DType.FLOAT32, 2, 3));
    }

    @Test
    void aDifferentDtypeIsNotReused() {
        Workspace w = new Workspace();
        Tensor f = w.ensure(backend, DType.FLOAT32, 2, 2);
        assertNotSame(f, w.ensure(backend, DType.FLOAT64, 2, 2));
    }
}
