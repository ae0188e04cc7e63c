package dev.tandem.learning.nn;

/** Receives the duration of each layer's forward and backward pass (for benchmarks; off by default). */
@FunctionalInterface
public interface LayerProfiler {
    void record(int layerIndex, boolean backward, long nanos);
}
