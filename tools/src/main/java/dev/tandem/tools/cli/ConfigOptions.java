package dev.tandem.tools.cli;

import dev.tandem.job.config.TandemConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code --config FILE} and {@code --set key=value} (repeatable), shared by the streaming commands. */
public final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration overrides (a .properties file; keys of config/defaults.properties).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one configuration key (repeatable); see config/README.md for the keys.")
    List<String> sets = new ArrayList<>();

    /** Defaults, then the bundled files (e.g. demo.properties), then --config, then --set. */
    public TandemConfig load(String... bundled) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String b : bundled) {
            files.add(TandemConfig.bundled(b));
        }
        if (file != null) {
            files.add(file);
        }
        return TandemConfig.load(files, sets);
    }
}
