package io.mptcp.nio.contract.async;

import io.mptcp.nio.MptcpAsynchronousChannelProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.channels.spi.AsynchronousChannelProvider;

/** The asynchronous providers the suites run against, and the modes of ours. */
final class AsyncProviders {

    /** The one instance of our provider every {@code Mptcp*} suite uses. */
    static final MptcpAsynchronousChannelProvider MPTCP = new MptcpAsynchronousChannelProvider();

    static final String MODE_PROPERTY = "io.mptcp.nio.mode";

    private static String savedMode;

    private AsyncProviders() {
    }

    /**
     * The JDK's own provider ({@code sun.nio.ch.LinuxAsynchronousChannelProvider}): the test JVM
     * sets no {@code java.nio.channels.spi.AsynchronousChannelProvider}, which this checks.
     */
    static AsynchronousChannelProvider jdk() {
        AsynchronousChannelProvider provider = AsynchronousChannelProvider.provider();
        if (!provider.getClass().getName().startsWith("sun.nio.ch.")) {
            throw new IllegalStateException("AsynchronousChannelProvider.provider() is "
                    + provider.getClass().getName() + ", not the JDK's: run the contract tests"
                    + " without -Djava.nio.channels.spi.AsynchronousChannelProvider");
        }
        return provider;
    }

    private static void pinMode(String mode) {
        savedMode = System.getProperty(MODE_PROPERTY);
        System.setProperty(MODE_PROPERTY, mode);
    }

    private static void restoreMode() {
        if (savedMode == null) {
            System.clearProperty(MODE_PROPERTY);
        } else {
            System.setProperty(MODE_PROPERTY, savedMode);
        }
    }

    /** Our provider in mode {@code all} (MPTCP), whatever the command line said. */
    interface ModeAll {
        @BeforeAll
        static void pinModeAll() {
            pinMode("all");
        }

        @AfterAll
        static void restoreModeAll() {
            restoreMode();
        }
    }

    /** Our provider in mode {@code off} (plain TCP). */
    interface ModeOff {
        @BeforeAll
        static void pinModeOff() {
            pinMode("off");
        }

        @AfterAll
        static void restoreModeOff() {
            restoreMode();
        }
    }
}
