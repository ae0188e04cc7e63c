package dev.tandem.models.gearbox;

import dev.tandem.learning.nn.Sequential;
import dev.tandem.learning.tensor.Backend;

import java.io.Serializable;

/**
 * Builds a fleet's classifier when its first window arrives: channel count, window length and class count come
 * from the data and the configuration. Serializable, so a Flink function can carry it.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    Sequential build(Backend backend, int channels, int length, int classes, long seed);
}
