package dev.tandem.operators.common;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test harness environment whose metric group is a real one over a registry that keeps every metric an operator
 * registers (by its name in the operator's group), so a test reads the counters Flink would report.
 */
public final class MetricCapture {
    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
    private final MockEnvironment environment;

    public MetricCapture() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> metrics.put(name, metric)).build();
        TaskMetricGroup task = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost",
                ResourceID.generate()).addJob(new JobID(), "test").addTask(ExecutionAttemptID.randomId(), "trainer");
        environment = new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    public MockEnvironment environment() {
        return environment;
    }

    /** The count of a registered counter; fails when none of that name was registered. */
    public long counter(String name) {
        Metric m = metrics.get(name);
        if (!(m instanceof Counter c)) {
            throw new AssertionError("no counter '" + name + "' registered; have " + metrics.keySet());
        }
        return c.getCount();
    }
}
