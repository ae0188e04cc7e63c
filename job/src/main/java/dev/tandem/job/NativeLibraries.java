package dev.tandem.job;

import dev.tandem.learning.tensor.Backends;

/**
 * Unpacks ND4J's native libraries once, at image build time ({@code docker/Dockerfile}): loading the ND4J backend
 * extracts them into {@code -Dorg.bytedeco.javacpp.cachedir}, where every TaskManager of the image then finds them
 * instead of unpacking another ~400 MB copy per JVM or per submission. Exits 1 when ND4J does not load.
 */
public final class NativeLibraries {
    private NativeLibraries() {
    }

    public static void main(String[] args) {
        Backends.Choice c = Backends.choose("nd4j");
        System.out.println("compute.backend=nd4j -> " + c.backend().name() + " (" + c.reason() + "); javacpp cache "
                + System.getProperty("org.bytedeco.javacpp.cachedir", "~/.javacpp/cache"));
        if (!c.backend().name().equals("nd4j")) {
            System.exit(1);
        }
    }
}
