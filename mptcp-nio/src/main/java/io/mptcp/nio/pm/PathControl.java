package io.mptcp.nio.pm;

import io.mptcp.nio.Subflow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link PathPolicy} may do to the one connection it steers: open, close and flag its
 * subflows, announce and withdraw addresses, and read the subflow list and the namespace's
 * local addresses. The commands are those of subflow control
 * ({@link io.mptcp.nio.MptcpSocketChannel#openSubflow} and the others) and need the userspace
 * path manager; they throw what those methods throw.
 *
 * <p>A policy receives its {@code PathControl} with every callback. A test can implement this
 * interface with a list of {@link Subflow}s built by {@link Subflow#builder()} and check what
 * the policy asked for, without a kernel.
 */
public interface PathControl {
    /**
     * A local address of the namespace, with the state of its interface.
     *
     * @param interfaceIndex the interface the address is on
     * @param address the address
     * @param linkUp whether the interface can carry traffic now
     */
    record LocalAddress(int interfaceIndex, InetAddress address, boolean linkUp) {
        /**
         * @param interfaceIndex the interface the address is on
         * @param address the address
         * @param linkUp whether the interface can carry traffic now
         * @throws NullPointerException if {@code address} is null
         */
        public LocalAddress {
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * {@return the connection's peer address} the remote end of the initial subflow, which a
     * new path joins unless the peer announced another address.
     */
    InetSocketAddress remoteAddress();

    /**
     * {@return the connection's subflows now} as
     * {@link io.mptcp.nio.MptcpSocketOptions#MPTCP_SUBFLOWS} lists them.
     *
     * @throws IOException as reading the option throws it
     */
    List<Subflow> subflows() throws IOException;

    /**
     * {@return the local addresses of the connection's namespace} with their interfaces' state.
     *
     * @throws IOException if rtnetlink cannot be asked
     */
    List<LocalAddress> localAddresses() throws IOException;

    /**
     * Starts opening a subflow and returns at once; the result arrives later as a
     * {@link MptcpEvent.SubflowEstablished} or {@link MptcpEvent.SubflowClosed} for the same
     * address pair.
     *
     * @param request the subflow to open
     * @throws IOException if the command was refused at once
     */
    void openSubflow(SubflowRequest request) throws IOException;

    /**
     * Closes one subflow; the connection goes on over the others.
     *
     * @param subflow the subflow, as {@link #subflows()} listed it
     * @param how FIN or RST ({@link SubflowClose#ABORT} leaves the list at once)
     * @throws IOException if the kernel refused
     */
    void closeSubflow(Subflow subflow, SubflowClose how) throws IOException;

    /**
     * Sets or clears this host's backup flag on one subflow (MP_PRIO to the peer).
     *
     * @param subflow the subflow, as {@link #subflows()} listed it
     * @param backup the new flag
     * @throws IOException if the kernel refused
     */
    void setSubflowBackup(Subflow subflow, boolean backup) throws IOException;

    /**
     * Announces a local address to the peer (ADD_ADDR).
     *
     * @param address the address, port 0 for none
     * @return what {@link #withdraw} takes back
     * @throws IOException if the kernel refused
     */
    AnnouncedAddress announce(InetSocketAddress address) throws IOException;

    /**
     * Withdraws an announced address (REMOVE_ADDR).
     *
     * @param announced what {@link #announce} returned
     * @throws IOException if the kernel refused
     */
    void withdraw(AnnouncedAddress announced) throws IOException;

    /**
     * Tells the peer that this subflow's local address is gone (REMOVE_ADDR with the address's
     * id), so that it closes its end of every subflow from that address at once and sends what
     * they had in flight over the others, instead of waiting for its retransmission timer. The
     * local subflows from that address are closed too, except the initial subflow's (address
     * id 0), which stays until it is closed. Call it while a subflow from another address is
     * established: Linux sends the signal over one of those (since the fix "mptcp: pm: avoid
     * sending RM_ADDR over same subflow", 7.0 and its stable kernels; older ones may send it
     * over the subflow being removed, where a dead link loses it). The default, for fakes:
     * nothing.
     *
     * @param subflow a subflow from the address, as {@link #subflows()} listed it
     * @throws IOException if the kernel refused
     */
    default void removeLocalAddress(Subflow subflow) throws IOException {
    }

    /**
     * Records a decision that a command alone does not explain (a handover, or a decision not to
     * act) as a JFR event and a log line; its reason becomes the reason of the commands issued
     * after it in the same callback. The default, for fakes: nothing.
     *
     * @param decision what the policy decided and why
     */
    default void report(PathDecision decision) {
    }

    /**
     * {@return whether this end accepted the connection} (a channel from
     * {@code ServerSocketChannel.accept()}) rather than connected it. The MPTCP server side
     * usually cannot open subflows towards the client (the client's addresses are behind NAT
     * or not listening); a policy there announces its addresses instead. The default, for
     * fakes: false.
     */
    default boolean accepted() {
        return false;
    }

    /**
     * {@return a monotonic clock in nanoseconds} ({@link System#nanoTime()} in the library; a
     * test's own clock in a fake) for the policy's timeouts.
     */
    long nanoTime();
}
