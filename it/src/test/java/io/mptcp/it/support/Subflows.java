package io.mptcp.it.support;

import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Waiting for the subflows of a connection, as {@link MptcpSocketOptions#MPTCP_SUBFLOWS} lists
 * them: a join is never assumed to have happened, it is polled for with a deadline.
 */
public final class Subflows {

    private static final long POLL_MILLIS = 10;

    private Subflows() {
    }

    /** The channel's subflows now. */
    public static List<Subflow> of(NetworkChannel ch) throws IOException {
        return ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
    }

    /**
     * Polls the subflow list until {@code condition} holds; fails with {@code what} and the last
     * list seen after {@code timeout}.
     */
    public static List<Subflow> await(NetworkChannel ch, Predicate<List<Subflow>> condition,
            Duration timeout, String what) throws IOException, InterruptedException {
        return await(ch, condition, timeout, what, () -> "");
    }

    /**
     * As {@link #await(NetworkChannel, Predicate, Duration, String)}; on failure the message
     * ends with {@code context} (for example {@link TwoPathTestBed#describeMptcp()}).
     */
    public static List<Subflow> await(NetworkChannel ch, Predicate<List<Subflow>> condition,
            Duration timeout, String what, Supplier<String> context)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Subflow> now = of(ch);
            if (condition.test(now)) {
                return now;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + what + " within " + timeout
                        + "; subflows now: " + describe(now) + "\n" + context.get());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Whether one of {@code subflows} has local address {@code local}. */
    public static boolean usesLocal(List<Subflow> subflows, InetAddress local) {
        return subflows.stream().anyMatch(s -> s.local().getAddress().equals(local));
    }

    /** One line per subflow: id, local → remote, state, bytes. */
    public static String describe(List<Subflow> subflows) {
        if (subflows.isEmpty()) {
            return "(none)";
        }
        return subflows.stream()
                .map(s -> "#" + (s.id().isPresent() ? s.id().getAsInt() : "?") + " " + s.local()
                        + " -> " + s.remote() + " state " + s.tcp().state() + " sent "
                        + s.tcp().bytesSent() + " received " + s.tcp().bytesReceived())
                .collect(Collectors.joining("; ", "[", "]"));
    }
}
