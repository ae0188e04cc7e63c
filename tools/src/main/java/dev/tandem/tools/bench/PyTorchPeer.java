package dev.tandem.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.tools.cli.JsonOutput;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a PyTorch reference script of {@code bench/pytorch} with /usr/bin/python3 and parses the JSON object on
 * its last line. Absent Python or torch is a normal outcome ("not measured"), not an error.
 */
public final class PyTorchPeer {
    public static final Path PYTHON = Path.of(System.getProperty("tandem.python", "/usr/bin/python3"));

    private PyTorchPeer() {
    }

    public record Outcome(JsonNode result, String unavailableReason) {
        public boolean measured() {
            return result != null;
        }
    }

    public static Outcome run(String script, List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return new Outcome(null, PYTHON + " not found");
        }
        Path file = locate(script);
        if (file == null) {
            return new Outcome(null, "bench/pytorch/" + script + " not found (run from the repository or set -Dtandem.home)");
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), file.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    last = line;
                }
            }
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Outcome(null, "PyTorch peer timed out after " + timeoutSeconds + " s");
        }
        if (last == null) {
            return new Outcome(null, "PyTorch peer printed nothing (exit " + p.exitValue() + ")");
        }
        JsonNode node = JsonOutput.mapper().readTree(last);
        if (node.has("error")) {
            return new Outcome(null, node.get("error").asText());
        }
        if (p.exitValue() != 0) {
            return new Outcome(null, "PyTorch peer exited with " + p.exitValue());
        }
        return new Outcome(node, null);
    }

    /**
     * The peer's arguments for a run against the given Tandem backend: on {@code cuda} the peer trains on the GPU
     * too ({@code --device cuda}), so that the ratio compares like with like.
     */
    public static List<String> onDeviceOf(dev.tandem.learning.tensor.Backend backend, List<String> args) {
        if (!backend.name().equals("cuda")) {
            return args;
        }
        List<String> out = new ArrayList<>(args);
        out.addAll(List.of("--device", "cuda"));
        return out;
    }

    static Path locate(String script) {
        String home = System.getProperty("tandem.home");
        List<Path> roots = new ArrayList<>();
        if (home != null) {
            roots.add(Path.of(home));
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            roots.add(d);
        }
        for (Path root : roots) {
            Path f = root.resolve("bench").resolve("pytorch").resolve(script);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }
}
