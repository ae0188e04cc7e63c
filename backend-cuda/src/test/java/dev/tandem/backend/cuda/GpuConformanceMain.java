package dev.tandem.backend.cuda;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs the conformance kit on the CUDA backend without Maven, for {@code scripts/gpu-check} on a GPU machine that
 * has no Java build tools. Exits 0 only if every case ran and passed: on the GPU machine a skip is a failure.
 */
public final class GpuConformanceMain {
    private GpuConformanceMain() {
    }

    public static void main(String[] args) {
        CudaRuntime.Status s = CudaRuntime.open();
        System.out.println("CUDA: " + (s.usable() ? "usable, " : "NOT usable, ") + s.reason());
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(CudaBackendConformanceTest.class), selectClass(KernelSignaturesTest.class))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printFailuresTo(out, 12);
        summary.printTo(out);
        out.printf("{\"conformance_tests\": %d, \"passed\": %d, \"failed\": %d, \"skipped\": %d, \"cuda\": \"%s\"}%n",
                summary.getTestsFoundCount(), summary.getTestsSucceededCount(), summary.getTotalFailureCount(),
                summary.getTestsSkippedCount() + summary.getTestsAbortedCount(), s.reason().replace("\"", "'"));
        boolean ok = s.usable() && summary.getTotalFailureCount() == 0 && summary.getTestsAbortedCount() == 0
                && summary.getTestsSkippedCount() == 0 && summary.getTestsSucceededCount() > 1000;
        System.exit(ok ? 0 : 1);
    }
}
