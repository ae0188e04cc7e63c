package dev.tandem.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tandem bench WORKLOAD}: the workloads of WORKLOADS.md, with the PyTorch peer in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of docs/WORKLOADS.md, measured side by side with PyTorch when /usr/bin/python3 has torch.",
        subcommands = {BenchW1Command.class, BenchW2Command.class, BenchW3Command.class, BenchW4Command.class,
                BenchW5Command.class, BenchW6Command.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing workload (one of: w1, w2, w3, w4, w5, w6)");
    }
}
