package io.mptcp.it.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a test needs from the machine. Missing locally: the test is skipped, visibly, with what
 * to install. Missing in CI ({@code CI=true}, where {@code .ci/run} installs everything): the
 * test fails, so a broken CI set-up cannot pass by skipping.
 */
public final class Prerequisites {

    /** Runs a program with its TCP sockets made MPTCP (LD_PRELOAD); Debian package mptcpize. */
    public static final String MPTCPIZE = "/usr/bin/mptcpize";

    private Prerequisites() {
    }

    /** Aborts or fails (in CI) unless {@code present}. */
    public static void require(boolean present, String missing) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(missing + " (CI=true: .ci/run must provide it)");
        }
        Assumptions.abort(missing);
    }

    /** {@code ss} with MPTCP support, and MPTCP enabled in this network namespace. */
    public static void requireKernelView() {
        require(KernelView.ssWithMptcpAvailable(),
                "ss with -M (MPTCP) is missing: apt-get install iproute2");
        requireMptcpEnabled();
    }

    /** MPTCP enabled in this network namespace. */
    public static void requireMptcpEnabled() {
        require(mptcpEnabled(), "MPTCP is disabled: sysctl -w net.mptcp.enabled=1");
    }

    /** {@code mptcpize}, which runs an unmodified program with its TCP sockets made MPTCP. */
    public static void requireMptcpize() {
        require(Files.isExecutable(Path.of(MPTCPIZE)),
                "mptcpize is missing: apt-get install mptcpize");
    }

    private static boolean mptcpEnabled() {
        try {
            return Files.readString(Path.of("/proc/sys/net/mptcp/enabled")).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }
}
