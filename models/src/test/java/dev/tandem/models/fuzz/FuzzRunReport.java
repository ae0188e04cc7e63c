package dev.tandem.models.fuzz;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

import java.lang.management.ManagementFactory;

/**
 * Prints, at the end of a fuzzing JVM (JAZZER_FUZZ set), how much CPU time and wall time the JVM took: libFuzzer's
 * own "Done N runs in S second(s)" is wall time, which on a shared machine says more about the other processes than
 * about the target (docs/FUZZING.md gives both). Registered for every test JVM of the modules; silent in the others.
 */
public final class FuzzRunReport implements TestExecutionListener {
    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (!FuzzFiles.fuzzing()) {
            return;
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(java.util.Locale.ROOT, "fuzz JVM: %.1f s CPU, %.1f s wall (JVM start to end, all threads)%n",
                os.getProcessCpuTime() / 1e9, ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
    }
}
