package dev.tandem.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bench w1 | w2 | w3} alone, for {@code scripts/gpu-check}: the same commands as {@code tandem bench}, on a
 * classpath without Flink, Kafka or ND4J (the GPU check brings a jlinked runtime and the jars it needs, 64 MiB at
 * most). W4 and W5 run streaming jobs and are not part of it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        subcommands = {BenchW1Command.class, BenchW2Command.class, BenchW3Command.class},
        description = "The training-step benchmarks W1-W3 (see tandem bench).")
public final class GpuBench implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new GpuBench());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                cmd.getErr().println("bench: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
