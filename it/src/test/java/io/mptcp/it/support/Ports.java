package io.mptcp.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Loopback ports for the servers the tests start. */
public final class Ports {

    private Ports() {
    }

    /** A loopback port that was free a moment ago (the kernel chose it). */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits until a socket listens on {@code port}, asking the kernel ({@code ss -l}) rather
     * than connecting, so that the server sees no stray connection; fails with
     * {@code describe} when {@code alive} turns false or {@code timeout} passes.
     */
    public static void awaitListening(int port, Duration timeout, BooleanSupplier alive,
            Supplier<String> describe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!KernelView.listening(port)) {
            if (!alive.getAsBoolean() || System.nanoTime() > deadline) {
                throw new AssertionError("nothing listens on port " + port + " after "
                        + timeout + "\n" + describe.get());
            }
            Thread.sleep(200);
        }
    }
}
