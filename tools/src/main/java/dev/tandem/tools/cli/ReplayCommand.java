package dev.tandem.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tandem replay TARGET}: stream recorded data into a Kafka topic. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Stream recorded data into a Kafka topic at a chosen rate.",
        subcommands = {ReplayGearboxCommand.class, ReplayWeatherCommand.class})
final class ReplayCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing replay target (one of: gearbox, weather)");
    }
}
