package dev.tandem.tools.cli;

import dev.tandem.learning.io.ModelSeed;
import dev.tandem.tools.savepoint.SavepointModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tandem export-model}: one key's model out of a savepoint or retained checkpoint into a Tandem model file,
 * which {@code eval gearbox|rainfall --initial-model} and a new job ({@code gearbox.initial-model},
 * {@code rainfall.initial-model}) start from.
 */
@Command(name = "export-model", mixinStandardHelpOptions = true,
        description = "Read one fleet's or region's model out of a savepoint or retained checkpoint (Flink's State "
                + "Processor API) into a Tandem model file (weights and optimizer state; a region's also its rain scale).")
final class ExportModelCommand implements Callable<Integer> {

    @Option(names = "--savepoint", required = true, paramLabel = "PATH",
            description = "Savepoint or retained checkpoint folder (the one holding _metadata), or its URI.")
    String savepoint;

    @Option(names = "--uid", paramLabel = "UID", defaultValue = "gearbox-fleet-trainer",
            description = "Operator uid: gearbox-fleet-trainer (keys: fleets) or rain-forecaster-trainer (keys: "
                    + "regions). Default: ${DEFAULT-VALUE}.")
    String uid;

    @Option(names = "--key", required = true, paramLabel = "KEY", description = "The fleet or region.")
    String key;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Model file to write.")
    Path out;

    @Option(names = "--json", description = "End with one JSON object on the last line of standard output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SavepointModels.Export e = SavepointModels.export(savepoint, uid, key);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.write(out, e.model());
        ModelSeed written = ModelSeed.read(out);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("savepoint", savepoint);
        o.put("uid", uid);
        o.put("key", key);
        o.put("out", out.toString());
        o.put("bytes", e.model().length);
        o.put("model_hash", written.hash());
        o.put("optimizer_step", written.optimizerStep());
        String scale = written.property(dev.tandem.models.rain.ConvLstmRainForecaster.RAIN_SCALE_PROPERTY);
        if (scale != null) {
            o.put("rain_scale_mm", Double.parseDouble(scale));
        }
        o.put("keys", e.keys());
        System.out.println("export-model: " + uid + " / " + key + " -> " + out + " (" + e.model().length
                + " bytes, model hash " + written.hash() + ", optimizer step " + written.optimizerStep()
                + (scale == null ? "" : ", rain scale " + scale + " mm") + ")");
        if (json) {
            JsonOutput.print(System.out, o);
        }
        return 0;
    }
}
