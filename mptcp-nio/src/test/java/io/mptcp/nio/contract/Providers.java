package io.mptcp.nio.contract;

import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/** The providers the suites run against, and the system-property modes of ours. */
final class Providers {

    /** The one instance of our provider every {@code Mptcp*ContractTest} uses. */
    static final MptcpSelectorProvider MPTCP = new MptcpSelectorProvider();

    /** The system property our provider reads each time it opens a channel. */
    static final String MODE_PROPERTY = "io.mptcp.nio.mode";

    /** A provider neither the JDK nor we know: its channels are foreign to both selectors. */
    static final SelectorProvider FOREIGN = new ForeignProvider();

    private static String savedMode;

    private Providers() {
    }

    /**
     * The JDK's own provider. The test JVM does not set
     * {@code java.nio.channels.spi.SelectorProvider}, so {@code SelectorProvider.provider()} is
     * the JDK's; this checks it, so that a misconfigured run cannot compare ours with ours.
     */
    static SelectorProvider jdk() {
        SelectorProvider provider = SelectorProvider.provider();
        if (!provider.getClass().getName().startsWith("sun.nio.ch.")) {
            throw new IllegalStateException("SelectorProvider.provider() is "
                    + provider.getClass().getName() + ", not the JDK's: run the contract tests"
                    + " without -Djava.nio.channels.spi.SelectorProvider");
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

    /**
     * Runs a test class with our provider in its default mode, {@code all} (MPTCP for clients
     * and listeners), whatever the command line said; restores the property after the class.
     */
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

    /**
     * Runs a test class with {@code io.mptcp.nio.mode=off}: our provider opens plain TCP
     * sockets. Surefire runs test classes one after another in one JVM (its default), which
     * this relies on.
     */
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

    /** Opens only {@link #openSelector()} and {@link ForeignChannel}s; enough to be refused. */
    private static final class ForeignProvider extends SelectorProvider {
        @Override
        public DatagramChannel openDatagramChannel() {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatagramChannel openDatagramChannel(ProtocolFamily family) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Pipe openPipe() {
            throw new UnsupportedOperationException();
        }

        @Override
        public AbstractSelector openSelector() {
            return new ForeignSelector(this);
        }

        @Override
        public ServerSocketChannel openServerSocketChannel() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SocketChannel openSocketChannel() {
            throw new UnsupportedOperationException();
        }
    }

    /** A selectable channel of {@link #FOREIGN}; no I/O. */
    static final class ForeignChannel extends AbstractSelectableChannel {
        ForeignChannel() {
            super(FOREIGN);
        }

        @Override
        public int validOps() {
            return SelectionKey.OP_READ | SelectionKey.OP_WRITE;
        }

        @Override
        protected void implCloseSelectableChannel() {
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }
    }

    /** A selector of {@link #FOREIGN} that, like every real one, refuses channels not its own. */
    private static final class ForeignSelector extends AbstractSelector {
        ForeignSelector(SelectorProvider provider) {
            super(provider);
        }

        @Override
        protected void implCloseSelector() {
        }

        @Override
        protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
            throw new IllegalSelectorException();
        }

        @Override
        public Set<SelectionKey> keys() {
            return Set.of();
        }

        @Override
        public Set<SelectionKey> selectedKeys() {
            return Set.of();
        }

        @Override
        public int selectNow() {
            return 0;
        }

        @Override
        public int select(long timeout) {
            return 0;
        }

        @Override
        public int select() {
            return 0;
        }

        @Override
        public Selector wakeup() {
            return this;
        }
    }

    /**
     * The provider whose channels and selectors are foreign to {@code provider}'s: the JDK's
     * for ours; for the JDK's, {@link #FOREIGN} (not ours, so that the JDK run passes before our
     * channels exist; the Mptcp suites cover JDK-versus-ours in both directions).
     */
    static SelectorProvider otherThan(SelectorProvider provider) {
        return provider == MPTCP ? jdk() : FOREIGN;
    }

    /** A non-blocking channel of {@code other} (see {@link #otherThan}). */
    static SelectableChannel openChannel(SelectorProvider other) throws IOException {
        SelectableChannel channel =
                other == FOREIGN ? new ForeignChannel() : other.openSocketChannel();
        channel.configureBlocking(false);
        return channel;
    }
}
