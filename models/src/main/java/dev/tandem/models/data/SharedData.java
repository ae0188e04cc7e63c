package dev.tandem.models.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the shared real-data folder ({@code ../shared/data} from the repository root, data/README.md), which is
 * never copied into the repository. Order: system property {@value #PROPERTY}, environment variable
 * {@value #ENV}, then {@code ../shared/data} relative to the repository root (system property
 * {@code tandem.home}, else the first folder upward from the working directory that holds {@code pom.xml} and
 * {@code learning/pom.xml}).
 */
public final class SharedData {
    public static final String PROPERTY = "tandem.data";
    public static final String ENV = "TANDEM_DATA";

    private SharedData() {
    }

    /** The data folder as configured or found; it may not exist. */
    public static Path root() {
        String override = System.getProperty(PROPERTY);
        if (override == null || override.isBlank()) {
            override = System.getenv(ENV);
        }
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath().normalize();
        }
        return repositoryRoot().resolve("../shared/data").normalize();
    }

    /** A data set folder (e.g. {@code bearing-cwru}) when it exists. */
    public static Optional<Path> dataset(String name) {
        Path p = root().resolve(name);
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** Why {@link #dataset} found nothing, for test skips and error messages. */
    public static String absentMessage(String name) {
        return "real data set " + name + " not found at " + root().resolve(name) + " (set -D" + PROPERTY + "=DIR or "
                + ENV + "=DIR to the shared data folder)";
    }

    static Path repositoryRoot() {
        String home = System.getProperty("tandem.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isRegularFile(d.resolve("learning/pom.xml"))) {
                return d;
            }
        }
        return start;
    }
}
