package dev.tandem.tools.cli;

import dev.tandem.learning.tensor.Backends;
import picocli.CommandLine.Option;

/** The {@code --backend} option shared by the commands that compute. */
public final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Compute backend (compute.backend): auto, java, nd4j, cuda. Default: ${DEFAULT-VALUE}.")
    String name;

    public Backends.Choice choose() {
        return Backends.choose(name);
    }
}
