package dev.tandem.tools.cli;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.job.stream.RainfallMain;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code tandem run gearbox}: the gearbox job against an existing Kafka, on a local Flink mini cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a job against an existing Kafka (kafka.bootstrap-servers) on a local Flink mini cluster until",
                "Ctrl-C. On a Flink cluster submit the job jar instead: flink run -c dev.tandem.job.stream.GearboxMain ...",
                "(or RainfallMain for the rainfall job)."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job: gearbox or rainfall.")
    String jobName;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        if (!jobName.equals("gearbox") && !jobName.equals("rainfall")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown job '" + jobName + "'; allowed: gearbox, rainfall");
        }
        TandemConfig c = configOptions.load();
        // the mini cluster runs in this process: an unusable compute.backend (cuda without a GPU) fails here, not in a task
        Backends.choose(c.string(Backends.KEY)).backend().close();
        if (jobName.equals("rainfall")) {
            System.err.println("run: rainfall job, Kafka at " + c.string("kafka.bootstrap-servers") + ", input "
                    + c.string("topics.weather-readings") + ", forecasts to " + c.string("topics.rain-forecasts"));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            RainfallMain.build(env, c);
            env.execute("tandem-rainfall");
            return 0;
        }
        System.err.println("run: gearbox job, Kafka at " + c.string("kafka.bootstrap-servers") + ", input "
                + c.string("topics.gearbox-windows"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        GearboxMain.build(env, c);
        env.execute("tandem-gearbox");
        return 0;
    }
}
