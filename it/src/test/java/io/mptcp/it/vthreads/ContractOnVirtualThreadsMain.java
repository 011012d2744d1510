package io.mptcp.it.vthreads;

import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs mptcp-nio's contract suite ({@code io.mptcp.nio.contract}, from its test jar) in this
 * JVM, for {@link ContractOnVirtualThreadsIT}, which starts it on JDK 21+ with
 * {@code io.mptcp.test.virtualThreads=true} so that every blocking call the suite makes on a
 * helper thread runs on a virtual thread. Arguments: class-name patterns (regular
 * expressions) to run, and {@code --exclude SimpleClassName#method} for a case to leave out. Prints {@code CLASS name succeeded=S failed=F skipped=K} per class (aborted tests
 * count as skipped),
 * each failure, and {@code CONTRACT succeeded=S failed=F skipped=K aborted=A}.
 */
public final class ContractOnVirtualThreadsMain {
    private ContractOnVirtualThreadsMain() {
    }

    public static void main(String[] args) {
        List<String> patterns = new ArrayList<>();
        Set<String> excluded = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--exclude")) {
                excluded.add(args[++i]);
            } else {
                patterns.add(args[i]);
            }
        }
        PostDiscoveryFilter notExcluded = descriptor -> FilterResult.includedIf(
                descriptor.getSource().filter(MethodSource.class::isInstance)
                        .map(src -> (MethodSource) src)
                        .map(m -> !excluded.contains(simpleName(m.getClassName()) + "#"
                                + m.getMethodName()))
                        .orElse(true));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("io.mptcp.nio.contract"))
                .filters(includeClassNamePatterns(patterns.toArray(String[]::new)), notExcluded)
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        PerClass perClass = new PerClass();
        launcher.execute(request, summary, perClass);
        perClass.counts.forEach((cls, c) -> System.out.println("CLASS " + cls + " succeeded="
                + c[0] + " failed=" + c[1] + " skipped=" + c[2]));
        TestExecutionSummary s = summary.getSummary();
        for (TestExecutionSummary.Failure f : s.getFailures()) {
            System.out.println("FAILURE " + f.getTestIdentifier().getDisplayName() + " in "
                    + f.getTestIdentifier().getUniqueId() + ": " + f.getException());
            f.getException().printStackTrace(System.out);
        }
        System.out.println("CONTRACT succeeded=" + s.getTestsSucceededCount() + " failed="
                + s.getTestsFailedCount() + " skipped=" + s.getTestsSkippedCount() + " aborted="
                + s.getTestsAbortedCount());
        System.exit(s.getTestsFailedCount() == 0 && s.getTestsSucceededCount() > 0 ? 0 : 1);
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** Outcome counts per test class: {succeeded, failed, skipped or aborted}. */
    private static final class PerClass implements TestExecutionListener {
        final Map<String, int[]> counts = new TreeMap<>();

        private synchronized int[] of(TestIdentifier id) {
            String cls = id.getSource().filter(MethodSource.class::isInstance)
                    .map(src -> ((MethodSource) src).getClassName()).orElse(null);
            return cls == null ? null : counts.computeIfAbsent(simpleName(cls), k -> new int[3]);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            int[] c = id.isTest() ? of(id) : null;
            if (c != null) {
                synchronized (this) {
                    c[switch (result.getStatus()) {
                        case SUCCESSFUL -> 0;
                        case FAILED -> 1;
                        case ABORTED -> 2;
                    }]++;
                }
            }
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            int[] c = id.isTest() ? of(id) : null;
            if (c != null) {
                synchronized (this) {
                    c[2]++;
                }
            }
        }
    }
}
