package io.mptcp.nio.pm;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.internal.pm.EventChannelImpl;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The MPTCP events of this host's network namespace as a channel: register it with a selector
 * of {@link MptcpSelectorProvider} for {@link SelectionKey#OP_READ}, next to the program's
 * sockets, and {@link #receive()} the events when it is ready. One event loop then serves
 * connections and what happens to them.
 *
 * <p><b>Where the events come from.</b> The channel chooses, and {@link #source()} says what
 * it chose:
 * <ul>
 *   <li>{@link EventSource#NETLINK}: the kernel's {@code mptcp_pm_events} group, every MPTCP
 *       event of every connection in the namespace, as {@code ip mptcp monitor} prints them.
 *       Subscribing needs {@code CAP_NET_ADMIN} in the user namespace that owns the network
 *       namespace (checked once, when the channel opens).</li>
 *   <li>{@link EventSource#SNAPSHOT}: where the kernel refuses that subscription (or has no
 *       such group), the channel compares snapshots of the subflows ({@code MPTCP_FULL_INFO})
 *       of the MPTCP connections <em>this process</em> opened or accepted through our
 *       provider, every {@link Options#snapshotInterval()}, and synthesises
 *       {@link MptcpEvent.ConnectionEstablished}, {@link MptcpEvent.SubflowEstablished},
 *       {@link MptcpEvent.SubflowClosed} and {@link MptcpEvent.ConnectionClosed} from the
 *       differences. Such events carry only what a snapshot shows: address ids are -1, backup
 *       false, no interface, error or reset reason, {@code serverSide} false; a subflow that
 *       came and went between two snapshots is not seen. {@link #netlinkRefusal()} says why
 *       the kernel said no.</li>
 * </ul>
 * Either way, link and local-address events come from rtnetlink, which needs no privilege.
 * Each event's {@link MptcpEvent#source()} tells how it was obtained.
 *
 * <p><b>Nothing is lost silently.</b> When the kernel cannot queue events for the channel
 * (its receive buffer overran), the next event is {@link MptcpEvent.EventsLost}, followed by
 * the {@link EventSource#SNAPSHOT} events that bring the application up to date: links and
 * addresses from fresh rtnetlink dumps, and this process's own connections from their
 * snapshots. Raise {@link Options#receiveBufferBytes()} for bursts.
 *
 * <p><b>Per connection.</b> {@link Options#connection(MptcpToken)} makes a channel that
 * delivers only the events of one connection (and {@link MptcpEvent.EventsLost}).
 *
 * <p>Blocking mode, close, interrupt and asynchronous close behave as for any channel: a
 * {@link #receive()} blocked in one thread ends with {@code AsynchronousCloseException} when
 * another closes the channel, and with {@code ClosedByInterruptException} (the channel closed)
 * when its thread is interrupted. The channel is in the network namespace of the thread that
 * opens it.
 */
public abstract class MptcpEventChannel extends AbstractSelectableChannel {

    /**
     * How a channel is opened.
     *
     * @param connection deliver only this connection's events, if present
     * @param source the source to use, if the application insists (opening then fails when
     *     the kernel refuses it); empty lets the channel choose
     * @param snapshotInterval how often the {@link EventSource#SNAPSHOT} source compares
     *     snapshots (at least 1 ms)
     * @param localEvents whether to deliver link and local-address events (rtnetlink)
     * @param receiveBufferBytes the receive buffer of the event sockets, or 0 for the system
     *     default ({@code net.core.rmem_default}); the kernel doubles what is set, and caps it
     *     at {@code net.core.rmem_max} unless the process has {@code CAP_NET_ADMIN}
     *     ({@code SO_RCVBUFFORCE})
     */
    public record Options(Optional<MptcpToken> connection, Optional<EventSource> source,
            Duration snapshotInterval, boolean localEvents, int receiveBufferBytes) {

        /** Every event, the source chosen by the channel, snapshots every 100 ms. */
        public static final Options DEFAULT = new Options(Optional.empty(), Optional.empty(),
                Duration.ofMillis(100), true, 0);

        /**
         * Checks the components.
         *
         * @param connection the connection whose events alone to deliver, or empty for all
         * @param source the source the channel must use, or empty to let it choose
         * @param snapshotInterval how often the {@link EventSource#SNAPSHOT} source compares
         *     snapshots, at least 1 ms
         * @param localEvents whether to deliver link and local-address events
         * @param receiveBufferBytes the event sockets' receive buffer, or 0 for the system
         *     default
         * @throws IllegalArgumentException if {@code snapshotInterval} is shorter than 1 ms or
         *     {@code receiveBufferBytes} is negative
         * @throws NullPointerException if {@code connection}, {@code source} or
         *     {@code snapshotInterval} is null
         */
        public Options {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(snapshotInterval, "snapshotInterval");
            if (snapshotInterval.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("snapshotInterval " + snapshotInterval
                        + " is shorter than 1 ms");
            }
            if (receiveBufferBytes < 0) {
                throw new IllegalArgumentException("receiveBufferBytes " + receiveBufferBytes
                        + " is negative");
            }
        }

        /**
         * Only the events of connection {@code token}.
         *
         * @param token the connection's token
         * @return these options, delivering only the events of that connection (and
         *     {@link MptcpEvent.EventsLost})
         * @throws NullPointerException if {@code token} is null
         */
        public Options connection(MptcpToken token) {
            return new Options(Optional.of(token), source, snapshotInterval, localEvents,
                    receiveBufferBytes);
        }

        /**
         * Insist on {@code required} as the source.
         *
         * @param required the source the channel must use; with
         *     {@link EventSource#NETLINK} opening fails where the kernel refuses the
         *     subscription or has no MPTCP events
         * @return these options, with that source
         * @throws NullPointerException if {@code required} is null
         */
        public Options source(EventSource required) {
            return new Options(connection, Optional.of(required), snapshotInterval, localEvents,
                    receiveBufferBytes);
        }

        /**
         * Compare snapshots every {@code interval} when the source is
         * {@link EventSource#SNAPSHOT}.
         *
         * @param interval how often to compare the snapshots, at least 1 ms
         * @return these options, with that interval
         * @throws IllegalArgumentException if {@code interval} is shorter than 1 ms
         * @throws NullPointerException if {@code interval} is null
         */
        public Options snapshotInterval(Duration interval) {
            return new Options(connection, source, interval, localEvents, receiveBufferBytes);
        }

        /**
         * Whether to deliver link and local-address events (rtnetlink).
         *
         * @param deliver true to deliver them, false to leave them out (the channel then opens
         *     no rtnetlink socket)
         * @return these options, delivering local events or not
         */
        public Options localEvents(boolean deliver) {
            return new Options(connection, source, snapshotInterval, deliver,
                    receiveBufferBytes);
        }

        /**
         * Sets the receive buffer of the event sockets, against losing events in bursts.
         *
         * @param bytes the receive buffer in bytes, or 0 for the system default; the kernel
         *     doubles it, and caps it at {@code net.core.rmem_max} unless the process has
         *     {@code CAP_NET_ADMIN}
         * @return these options, with that receive buffer
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Options receiveBufferBytes(int bytes) {
            return new Options(connection, source, snapshotInterval, localEvents, bytes);
        }
    }

    /**
     * For the implementation.
     *
     * @param provider the provider that opened the channel, whose selectors it registers with
     */
    protected MptcpEventChannel(SelectorProvider provider) {
        super(provider);
    }

    /**
     * Opens an event channel of the system-wide provider, which must be
     * {@link MptcpSelectorProvider} (a selector accepts only its own provider's channels).
     *
     * @return a new channel, open and in blocking mode, with {@link Options#DEFAULT}
     * @throws IllegalStateException if the system-wide provider is another one
     * @throws IOException as {@link #open(MptcpSelectorProvider, Options)}
     */
    public static MptcpEventChannel open() throws IOException {
        return open(Options.DEFAULT);
    }

    /**
     * As {@link #open()}, with {@code options}.
     *
     * @param options how to open the channel
     * @return a new channel, open and in blocking mode
     * @throws IllegalStateException if the system-wide provider is not
     *     {@link MptcpSelectorProvider}
     * @throws IOException as {@link #open(MptcpSelectorProvider, Options)}
     */
    public static MptcpEventChannel open(Options options) throws IOException {
        SelectorProvider p = SelectorProvider.provider();
        if (!(p instanceof MptcpSelectorProvider)) {
            throw new IllegalStateException("the system-wide SelectorProvider is "
                    + p.getClass().getName() + "; MptcpEventChannel needs "
                    + MptcpSelectorProvider.class.getName() + " (start the JVM with "
                    + "-Djava.nio.channels.spi.SelectorProvider="
                    + MptcpSelectorProvider.class.getName()
                    + ") or a provider passed to open(MptcpSelectorProvider)");
        }
        return open((MptcpSelectorProvider) p, options);
    }

    /**
     * Opens an event channel of {@code provider}, with {@link Options#DEFAULT}.
     *
     * @param provider the provider whose selectors the channel is to register with
     * @return a new channel, open and in blocking mode
     * @throws IOException as {@link #open(MptcpSelectorProvider, Options)}
     */
    public static MptcpEventChannel open(MptcpSelectorProvider provider) throws IOException {
        return open(provider, Options.DEFAULT);
    }

    /**
     * Opens an event channel of {@code provider} with {@code options}.
     *
     * @param provider the provider whose selectors the channel is to register with
     * @param options how to open the channel
     * @return a new channel, open and in blocking mode
     * @throws IOException if native access cannot be loaded, a netlink or epoll descriptor
     *     cannot be created or set up, the kernel refuses the {@code mptcp_pm} family lookup
     *     or, for a reason other than {@code EPERM}, the subscription (a
     *     {@link PathManagerException} with the errno and the kernel's text), or the initial
     *     rtnetlink dumps or connection snapshots fail
     * @throws PathManagerException if {@code options} insist on {@link EventSource#NETLINK}
     *     and the kernel refuses the subscription ({@code EPERM}: no {@code CAP_NET_ADMIN})
     * @throws UnsupportedOperationException if they insist on it and the kernel has no
     *     {@code mptcp_pm} events (older than 5.12), with that reason
     */
    public static MptcpEventChannel open(MptcpSelectorProvider provider, Options options)
            throws IOException {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(options, "options");
        return EventChannelImpl.open(provider, options);
    }

    /** {@link SelectionKey#OP_READ}, the only operation. */
    @Override
    public final int validOps() {
        return SelectionKey.OP_READ;
    }

    /**
     * The next event. In non-blocking mode null when none is ready; in blocking mode it waits
     * for one.
     *
     * @return the next event, or null in non-blocking mode when none is ready
     * @throws java.nio.channels.ClosedChannelException if the channel is closed
     * @throws IOException if the kernel sent bytes that are not a well-formed message (the
     *     channel stays usable)
     */
    public abstract MptcpEvent receive() throws IOException;

    /**
     * Where this channel's MPTCP events come from.
     *
     * @return the source chosen when the channel opened, the same for its whole life
     */
    public abstract EventSource source();

    /**
     * Why the channel uses {@link EventSource#SNAPSHOT}: the kernel's refusal of the
     * {@code mptcp_pm_events} subscription, or why it has none; empty for
     * {@link EventSource#NETLINK} and when the application asked for snapshots.
     *
     * @return the refusal: a {@link PathManagerException} when the kernel refused the
     *     subscription, an {@link IOException} naming what is missing when the kernel has no
     *     MPTCP events; or empty
     */
    public abstract Optional<IOException> netlinkRefusal();

    /**
     * The options the channel was opened with.
     *
     * @return the options as given to {@code open}
     */
    public abstract Options options();
}
