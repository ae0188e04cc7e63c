package dev.tandem.operators.al;

import dev.tandem.learning.al.AlArchitecture;

import java.io.Serializable;

/**
 * Builds a key's AL architecture from the per-example shape of its inputs (a gearbox fleet's windows are
 * channels × length, known only when its first window arrives). Serializable: every stage and the decoder
 * operator carry one and must build the same architecture.
 */
@FunctionalInterface
public interface AlArchitectureFactory extends Serializable {
    AlArchitecture build(int[] inputShape);
}
