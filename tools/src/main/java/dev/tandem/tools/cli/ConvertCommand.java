package dev.tandem.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tandem convert DATASET}: public data sets into Tandem's canonical formats (ARCHITECTURE.md). */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a public data set into Tandem's canonical file formats.",
        subcommands = {ConvertGfdCommand.class, ConvertWeatherAusCommand.class})
final class ConvertCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing data set (one of: gfd, weather-aus)");
    }
}
