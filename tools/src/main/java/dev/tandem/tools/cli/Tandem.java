package dev.tandem.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tandem} command line. */
@Command(name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = Tandem.Version.class,
        description = "Tandem: online training of neural networks inside Apache Flink.",
        subcommands = {InfoCommand.class, EvalCommand.class, BenchCommand.class, ClusterCommand.class, ConvertCommand.class,
                DashboardCommand.class, DemoCommand.class, ExportModelCommand.class, SoakCommand.class, ReplayCommand.class,
                RunCommand.class,
                CommandLine.HelpCommand.class})
public final class Tandem implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The arguments of this process's command line (for {@code bench --isa}, which re-runs them in a child JVM). */
    static volatile String[] invocation = new String[0];

    public static void main(String[] args) {
        invocation = args.clone();
        dev.tandem.tools.flink.FlinkLog.install(); // before the first logger: Flink's warnings go to a file
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Tandem());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                cmd.getErr().println("tandem: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Tandem.class.getPackage().getImplementationVersion();
            return new String[] {"tandem " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
