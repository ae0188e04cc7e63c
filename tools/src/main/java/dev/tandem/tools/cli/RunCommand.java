package dev.tandem.tools.cli;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.learning.tensor.Backends;
import dev.tandem.job.stream.GearboxMain;
import dev.tandem.job.stream.RainfallMain;
import dev.tandem.tools.flink.JobWatch;
import dev.tandem.tools.flink.LocalFlink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.core.execution.JobClient;
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
        LocalFlink flink = LocalFlink.of(c);
        StreamExecutionEnvironment env = flink.environment(null);
        String name;
        if (jobName.equals("rainfall")) {
            System.err.println("run: rainfall job, Kafka at " + c.string("kafka.bootstrap-servers") + ", input "
                    + c.string("topics.weather-readings") + ", forecasts to " + c.string("topics.rain-forecasts"));
            RainfallMain.build(env, c);
            name = "tandem-rainfall";
        } else {
            System.err.println("run: gearbox job, Kafka at " + c.string("kafka.bootstrap-servers") + ", input "
                    + c.string("topics.gearbox-windows"));
            GearboxMain.build(env, c);
            name = "tandem-gearbox";
        }
        JobClient job = env.executeAsync(name);
        System.err.println("run: job " + job.getJobID() + " on a local Flink mini cluster (REST " + flink.restUrl()
                + "); checkpoints every " + c.integer("job.checkpoint-interval-ms") + " ms to "
                + env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        try (JobWatch watch = JobWatch.start(flink.restUrl(), job.getJobID(), "run", System.err)) {
            job.getJobExecutionResult().get();
        }
        return 0;
    }
}
