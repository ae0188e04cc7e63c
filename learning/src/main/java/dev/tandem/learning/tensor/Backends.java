package dev.tandem.learning.tensor;

import dev.tandem.learning.backend.JavaBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Chooses a backend for {@code compute.backend = auto | java | nd4j | cuda}. {@code auto} takes the usable
 * backend of highest priority; the plain-Java reference is always usable. Every choice comes with its reason.
 */
public final class Backends {
    public static final String KEY = "compute.backend";

    private Backends() {
    }

    /** One row of {@code tandem info}. */
    public record Candidate(String name, int priority, boolean usable, String reason) {
    }

    public record Choice(Backend backend, String requested, String reason, List<Candidate> candidates) {
    }

    /** Every known backend with whether it can run here and why. */
    public static List<Candidate> candidates() {
        List<Candidate> out = new ArrayList<>();
        out.add(new Candidate(JavaBackend.NAME, 0, true, "plain-Java reference, always available"));
        for (BackendProvider p : providers()) {
            BackendProvider.Availability a = safeProbe(p);
            out.add(new Candidate(p.name(), p.priority(), a.usable(), a.reason()));
        }
        out.sort(Comparator.comparingInt(Candidate::priority).reversed());
        return out;
    }

    /** Names accepted by {@link #choose(String)}. */
    public static List<String> allowedNames() {
        List<String> names = new ArrayList<>(List.of("auto", JavaBackend.NAME));
        for (BackendProvider p : providers()) {
            names.add(p.name());
        }
        if (!names.contains("nd4j")) {
            names.add("nd4j");
        }
        if (!names.contains("cuda")) {
            names.add("cuda");
        }
        return names;
    }

    public static Choice choose(String requested) {
        String want = requested == null ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        List<Candidate> candidates = candidates();
        if (want.equals("auto")) {
            for (BackendProvider p : sortedProviders()) {
                BackendProvider.Availability a = safeProbe(p);
                if (a.usable()) {
                    Backend created = safeCreate(p, false);
                    if (created != null) {
                        return new Choice(created, want, "auto: " + p.name() + " is the usable backend of highest "
                                + "priority (" + a.reason() + ")" + unusableNote(candidates), candidates);
                    }
                }
            }
            return new Choice(new JavaBackend(), want, "auto: no native backend is usable; using the plain-Java reference"
                    + unusableNote(candidates), candidates);
        }
        if (want.equals(JavaBackend.NAME)) {
            return new Choice(new JavaBackend(), want, "requested java", candidates);
        }
        for (BackendProvider p : providers()) {
            if (p.name().equals(want)) {
                BackendProvider.Availability a = safeProbe(p);
                if (!a.usable()) {
                    throw new IllegalArgumentException(KEY + " = " + want + " is not usable here: " + a.reason()
                            + "; allowed values: " + String.join(", ", allowedNames()) + " (auto takes the best usable one)");
                }
                return new Choice(safeCreate(p, true), want, "requested " + want + " (" + a.reason() + ")", candidates);
            }
        }
        throw new IllegalArgumentException("unknown " + KEY + " '" + requested + "'; allowed values: "
                + String.join(", ", allowedNames())
                + (allowedNames().contains(want) ? " (" + want + " is not on the classpath)" : ""));
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            list.add(p);
        }
        return list;
    }

    private static List<BackendProvider> sortedProviders() {
        List<BackendProvider> list = providers();
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    /** Higher-priority backends that cannot run here, with why ("; cuda unusable: no CUDA driver ..."). */
    private static String unusableNote(List<Candidate> candidates) {
        StringBuilder b = new StringBuilder();
        for (Candidate c : candidates) {
            if (!c.usable()) {
                b.append("; ").append(c.name()).append(" unusable: ").append(c.reason());
            }
        }
        return b.toString();
    }

    /**
     * Creates a probed backend; a failure (a native library that loads but fails later) never escapes as a
     * LinkageError: for a requested backend it becomes an IllegalArgumentException naming the key, for auto null.
     */
    private static Backend safeCreate(BackendProvider p, boolean requested) {
        try {
            return p.create();
        } catch (LinkageError | RuntimeException e) {
            if (requested) {
                throw new IllegalArgumentException(KEY + " = " + p.name() + " failed to start: "
                        + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
            }
            return null;
        }
    }

    private static BackendProvider.Availability safeProbe(BackendProvider p) {
        try {
            return p.probe();
        } catch (LinkageError | RuntimeException e) {
            return BackendProvider.Availability.no(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
