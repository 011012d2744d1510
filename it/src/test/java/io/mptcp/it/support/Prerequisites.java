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

    // ---- two-path test bed (TwoPathTestBed) -----------------------------------------------

    /** The interpreter the interop tests run the Python peer with; Debian package python3. */
    public static final String PYTHON3 = "/usr/bin/python3";

    /**
     * What {@link TwoPathTestBed} needs: root (network namespaces, veth, tc), {@code ip} and
     * {@code tc} (iproute2, with {@code ip mptcp}), {@code sysctl} (procps), and a kernel with
     * MPTCP and its subflow socket options (Linux 5.16).
     */
    public static void requireTwoPathTestBed() {
        require(isRoot(), "the two-path test bed needs root (network namespaces, veth, tc)");
        require(runs("ip", "mptcp", "limits", "show"),
                "ip with MPTCP support is missing: apt-get install iproute2");
        require(runs("tc", "qdisc", "show", "dev", "lo"),
                "tc is missing: apt-get install iproute2");
        require(runs("sysctl", "-n", "kernel.ostype"), "sysctl is missing: apt-get install procps");
        require(Files.isDirectory(Path.of("/proc/sys/net/mptcp")),
                "this kernel has no MPTCP (CONFIG_MPTCP)");
        require(kernelAtLeast(5, 16), "the two-path tests need Linux 5.16+ (MPTCP_INFO and"
                + " MPTCP_SUBFLOW_ADDRS); this is " + System.getProperty("os.version"));
    }

    /** {@code /usr/bin/python3}, 3.8 or later, for the independent MPTCP peer. */
    public static void requirePython3() {
        require(Files.isExecutable(Path.of(PYTHON3)) && runs(PYTHON3, "-c",
                        "import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)"),
                PYTHON3 + " (3.8+) is missing: apt-get install python3");
    }

    /** Whether this process runs as root (effective uid 0). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the running kernel is at least {@code major.minor}. */
    public static boolean kernelAtLeast(int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)")
                .matcher(System.getProperty("os.version", ""));
        if (!m.find()) {
            return false;
        }
        int maj = Integer.parseInt(m.group(1));
        return maj > major || maj == major && Integer.parseInt(m.group(2)) >= minor;
    }

    private static boolean runs(String... command) {
        try {
            return Commands.attempt(command).succeeded();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean mptcpEnabled() {
        try {
            return Files.readString(Path.of("/proc/sys/net/mptcp/enabled")).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }
}
