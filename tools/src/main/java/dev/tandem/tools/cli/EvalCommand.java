package dev.tandem.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tandem eval TARGET}: offline evaluations with a JSON summary. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Offline evaluations: train and measure a model on a fixed data split.",
        subcommands = {EvalMnistCommand.class, EvalOptimizersCommand.class, EvalGearboxCommand.class,
                EvalDecisionCommand.class, EvalRainfallCommand.class, EvalAlCommand.class})
final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing evaluation target (one of: mnist, optimizers, gearbox, decision, rainfall, al)");
    }
}
