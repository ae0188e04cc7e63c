package dev.tandem.tools.cli;

import dev.tandem.learning.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tandem info}: the compute backends, which one auto chooses, and why. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the compute backends available here, which one 'auto' chooses, and why.")
final class InfoCommand implements Callable<Integer> {

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() {
        Backends.Choice choice = backend.choose();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Backends.Candidate c : choice.candidates()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", c.name());
            row.put("usable", c.usable());
            row.put("priority", c.priority());
            row.put("reason", c.reason());
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", new Tandem.Version().getVersion()[0]);
        out.put("java", System.getProperty("java.version"));
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("backends", rows);
        out.put("requested", choice.requested());
        out.put("chosen", choice.backend().name());
        out.put("reason", choice.reason());
        System.out.println("" + out.get("version") + " on Java " + out.get("java") + ", " + out.get("cores") + " cores");
        System.out.println("Compute backends (" + Backends.KEY + "):");
        for (Backends.Candidate c : choice.candidates()) {
            System.out.printf("  %-6s %-10s %s%n", c.name(), c.usable() ? "usable" : "unusable", c.reason());
        }
        System.out.println(choice.requested() + " -> " + choice.backend().name() + ": " + choice.reason());
        if (json) {
            JsonOutput.print(System.out, out);
        }
        return 0;
    }
}
