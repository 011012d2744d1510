package io.mptcp.nio.internal.netlink;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Collects the answer to one request, datagram by datagram: the data messages (one, or the
 * parts of a dump flagged {@link Netlink#NLM_F_MULTI}) until the closing
 * {@link Netlink#NLMSG_ERROR} (acknowledgement or error) or {@link Netlink#NLMSG_DONE}.
 * Messages of other sequence numbers (late answers to earlier requests) are skipped. Pure
 * state; the caller receives.
 */
public final class Reply {
    private final int sequence;
    private final List<NetlinkMessage> messages = new ArrayList<>();
    private NetlinkError error;
    private boolean complete;
    private boolean interrupted;

    /** An answer to the request sent with {@code sequence}. */
    public Reply(int sequence) {
        this.sequence = sequence;
    }

    /**
     * Takes the messages of one received datagram.
     *
     * @return whether the answer is complete
     */
    public boolean accept(List<NetlinkMessage> datagram) throws NetlinkProtocolException {
        for (NetlinkMessage m : datagram) {
            if (complete || m.header().sequence() != sequence
                    || m.header().type() == Netlink.NLMSG_NOOP) {
                continue;
            }
            interrupted |= m.header().has(Netlink.NLM_F_DUMP_INTR);
            switch (m.header().type()) {
                case Netlink.NLMSG_ERROR -> {
                    error = NetlinkError.decode(m);
                    complete = true;
                }
                case Netlink.NLMSG_DONE -> {
                    int code = NetlinkReader.doneError(m);
                    if (code != 0) {
                        error = new NetlinkError(code, m.header(), Optional.empty(), -1, -1, -1,
                                m.attributesAfter(m.payloadLength(), "NLMSG_DONE"));
                    }
                    complete = true;
                }
                case Netlink.NLMSG_OVERRUN -> throw new NetlinkProtocolException(
                        "NLMSG_OVERRUN at offset " + m.offset() + ": data lost");
                default -> messages.add(m);
            }
        }
        return complete;
    }

    public boolean isComplete() {
        return complete;
    }

    /** The data messages so far. */
    public List<NetlinkMessage> messages() {
        return Collections.unmodifiableList(messages);
    }

    /** The kernel's error, if it refused (never an acknowledgement). */
    public Optional<NetlinkError> error() {
        return error == null || error.isAck() ? Optional.empty() : Optional.of(error);
    }

    /** Whether a part of the dump was flagged inconsistent ({@code NLM_F_DUMP_INTR}). */
    public boolean isInterrupted() {
        return interrupted;
    }
}
