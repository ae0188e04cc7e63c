package dev.tandem.job.cli;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.job.stream.GearboxMain;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code tandem run gearbox}: the gearbox job against an existing Kafka, on a local Flink mini cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a job against an existing Kafka (kafka.bootstrap-servers) on a local Flink mini cluster until",
                "Ctrl-C. On a Flink cluster submit the job jar instead: flink run -c dev.tandem.job.stream.GearboxMain ..."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job: gearbox.")
    String jobName;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() throws Exception {
        if (!jobName.equals("gearbox")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown job '" + jobName + "'; allowed: gearbox");
        }
        TandemConfig c = configOptions.load();
        System.err.println("run: gearbox job, Kafka at " + c.string("kafka.bootstrap-servers") + ", input "
                + c.string("topics.gearbox-windows"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        GearboxMain.build(env, c);
        env.execute("tandem-gearbox");
        return 0;
    }
}
