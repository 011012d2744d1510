package io.mptcp.nio.internal.pm;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.NetlinkUapi;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.netlink.GenlFamily;
import io.mptcp.nio.internal.netlink.GenlMessage;
import io.mptcp.nio.internal.netlink.MptcpPm;
import io.mptcp.nio.internal.netlink.NetlinkError;
import io.mptcp.nio.internal.netlink.NetlinkMessage;
import io.mptcp.nio.internal.netlink.NlAttr;
import io.mptcp.nio.internal.netlink.PmAddress;
import io.mptcp.nio.internal.netlink.PmLimits;
import io.mptcp.nio.internal.netlink.Reply;
import io.mptcp.nio.internal.netlink.Requests;
import io.mptcp.nio.internal.netlink.RtAddress;
import io.mptcp.nio.internal.netlink.RtLink;
import io.mptcp.nio.internal.netlink.RtNetlink;
import io.mptcp.nio.pm.Endpoint;
import io.mptcp.nio.pm.EndpointFlag;
import io.mptcp.nio.pm.PathManagerLimits;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;

/**
 * Requests to the kernel over one command socket: the {@code mptcp_pm} family (resolved once)
 * and the rtnetlink dumps. Every refusal becomes a {@code PathManagerException} through
 * {@link NioExceptions#pathManager}. Callers serialise (the socket is not thread-safe).
 */
public final class PmClient implements AutoCloseable {
    private final NetlinkSocket genl;
    private final PmFeatures features;

    private PmClient(NetlinkSocket genl, PmFeatures features) {
        this.genl = genl;
        this.features = features;
    }

    /** Opens a command socket in the calling thread's network namespace and resolves the family. */
    public static PmClient open(LinuxSyscalls sys) throws IOException {
        NetlinkSocket genl = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_GENERIC, "mptcp_pm");
        try {
            return new PmClient(genl, resolve(genl));
        } catch (IOException | RuntimeException e) {
            try {
                genl.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** {@code CTRL_CMD_GETFAMILY} of mptcp_pm; ENOENT gives {@link PmFeatures#absent()}. */
    static PmFeatures resolve(NetlinkSocket genl) throws IOException {
        int seq = genl.nextSequence();
        Reply reply = genl.transact(seq, Requests.getFamily(seq, MptcpPm.MPTCP_PM_NAME));
        Optional<NetlinkError> error = reply.error();
        if (error.isPresent()) {
            if (-error.get().error() == Errno.ENOENT) {
                return PmFeatures.absent();
            }
            throw refusal("CTRL_CMD_GETFAMILY", error.get());
        }
        for (NetlinkMessage m : reply.messages()) {
            return PmFeatures.of(GenlFamily.decode(GenlMessage.decode(m)));
        }
        throw new IOException("CTRL_CMD_GETFAMILY of mptcp_pm: the kernel acknowledged without"
                + " describing the family");
    }

    /** The command socket's descriptor (to tell its network namespace). */
    int fd() {
        return genl.fd();
    }

    public PmFeatures features() {
        return features;
    }

    /** The family, or an exception that says why there is none. */
    public GenlFamily family() {
        features.require(PmFeatures.Feature.FAMILY);
        return features.family().orElseThrow();
    }

    // ---- in-kernel endpoints and limits -------------------------------------------------

    public List<Endpoint> endpoints() throws IOException {
        int seq = genl.nextSequence();
        Reply r = request("GET_ADDR", seq, Requests.dumpAddrs(family().id(), seq, -1));
        List<Endpoint> out = new ArrayList<>();
        for (NetlinkMessage m : r.messages()) {
            GenlMessage g = GenlMessage.decode(m);
            Optional<NlAttr> nest = g.attributes().find(MptcpPm.MPTCP_PM_ATTR_ADDR);
            if (nest.isPresent()) {
                out.add(endpoint(PmAddress.decode(g.attributes(), nest.get())));
            }
        }
        return out;
    }

    public void addEndpoint(Endpoint e) throws IOException {
        PmAddress a = PmAddress.of(e.address()).withFlags(flags(e));
        if (e.id() != 0) {
            a = a.withId(e.id());
        }
        if (e.port().isPresent()) {
            a = a.withPort(e.port().getAsInt());
        }
        if (e.interfaceIndex().isPresent()) {
            a = a.withIfIndex(e.interfaceIndex().getAsInt());
        }
        int seq = genl.nextSequence();
        request("ADD_ADDR", seq, Requests.addAddr(family().id(), seq, a));
    }

    /** Changes the flags of endpoint {@code id} (the kernel changes backup and fullmesh). */
    public void setFlags(int id, int flags) throws IOException {
        PmAddress a = new PmAddress(PmAddress.ABSENT, id, Optional.empty(), PmAddress.ABSENT,
                flags, PmAddress.ABSENT, List.of());
        int seq = genl.nextSequence();
        request("SET_FLAGS", seq, Requests.setFlags(family().id(), seq, -1, a, null));
    }

    public void removeEndpoint(int id) throws IOException {
        PmAddress a = new PmAddress(PmAddress.ABSENT, id, Optional.empty(), PmAddress.ABSENT,
                PmAddress.ABSENT, PmAddress.ABSENT, List.of());
        int seq = genl.nextSequence();
        request("DEL_ADDR", seq, Requests.delAddr(family().id(), seq, a));
    }

    public void flushEndpoints() throws IOException {
        int seq = genl.nextSequence();
        request("FLUSH_ADDRS", seq, Requests.flushAddrs(family().id(), seq));
    }

    public PathManagerLimits limits() throws IOException {
        int seq = genl.nextSequence();
        Reply r = request("GET_LIMITS", seq, Requests.getLimits(family().id(), seq));
        for (NetlinkMessage m : r.messages()) {
            PmLimits l = PmLimits.decode(GenlMessage.decode(m));
            return new PathManagerLimits((int) l.subflows(), (int) l.addAddrAccepted());
        }
        throw new IOException("GET_LIMITS: the kernel acknowledged without the limits");
    }

    public void setLimits(PathManagerLimits limits) throws IOException {
        int seq = genl.nextSequence();
        request("SET_LIMITS", seq, Requests.setLimits(family().id(), seq,
                new PmLimits(limits.addAddrAccepted(), limits.subflows())));
    }

    // ---- userspace path manager: one connection, by its token ----------------------------

    /**
     * {@code GET_ADDR} dump with {@code token} (Linux 6.9; no privilege): the userspace PM's
     * local addresses of that connection. The kernel refuses it with "userspace PM not
     * selected" for a connection of the in-kernel PM, which makes it the unprivileged test of
     * a connection's path manager. Before 6.9 the token is ignored and the endpoints come back.
     */
    public void localAddresses(long token) throws IOException {
        int seq = genl.nextSequence();
        request("GET_ADDR", seq, Requests.dumpAddrs(family().id(), seq, token));
    }

    /** {@code SUBFLOW_CREATE}: an MP_JOIN from {@code local} to {@code remote}. */
    public void subflowCreate(long token, PmAddress local, PmAddress remote) throws IOException {
        int seq = genl.nextSequence();
        request("SUBFLOW_CREATE", seq, Requests.subflowCreate(family().id(), seq, token, local,
                remote));
    }

    /** {@code SUBFLOW_DESTROY}: both addresses with their ports; the kernel sends a FIN. */
    public void subflowDestroy(long token, PmAddress local, PmAddress remote)
            throws IOException {
        int seq = genl.nextSequence();
        request("SUBFLOW_DESTROY", seq, Requests.subflowDestroy(family().id(), seq, token, local,
                remote));
    }

    /** {@code SET_FLAGS} of one subflow (MP_PRIO to the peer). */
    public void setSubflowFlags(long token, PmAddress local, PmAddress remote)
            throws IOException {
        int seq = genl.nextSequence();
        request("SET_FLAGS", seq, Requests.setFlags(family().id(), seq, token, local, remote));
    }

    /** {@code ANNOUNCE}: ADD_ADDR of {@code address} (id and the signal flag set). */
    public void announce(long token, PmAddress address) throws IOException {
        int seq = genl.nextSequence();
        request("ANNOUNCE", seq, Requests.announce(family().id(), seq, token, address));
    }

    /** {@code REMOVE}: RM_ADDR of local address id {@code id}. */
    public void remove(long token, int id) throws IOException {
        int seq = genl.nextSequence();
        request("REMOVE", seq, Requests.remove(family().id(), seq, token, id));
    }

    private Reply request(String command, int seq, byte[] bytes) throws IOException {
        Reply r = genl.transact(seq, bytes);
        Optional<NetlinkError> error = r.error();
        if (error.isPresent()) {
            throw refusal(command, error.get());
        }
        return r;
    }

    static IOException refusal(String command, NetlinkError e) {
        return NioExceptions.pathManager(command, -e.error(), e.message().orElse(null),
                (int) e.missingType());
    }

    private static long flags(Endpoint e) {
        return EndpointFlag.bits(e.flags()) | e.otherFlags();
    }

    private static Endpoint endpoint(PmAddress a) throws IOException {
        if (a.address().isEmpty()) {
            throw new IOException("GET_ADDR: an endpoint without an address (id " + a.id() + ")");
        }
        long flags = a.flags() == PmAddress.ABSENT ? 0 : a.flags();
        int known = 0;
        for (EndpointFlag f : EndpointFlag.values()) {
            known |= f.bit();
        }
        return new Endpoint(a.id() == PmAddress.ABSENT ? 0 : a.id(), a.address().get(),
                a.port() <= 0 ? OptionalInt.empty() : OptionalInt.of(a.port()),
                a.ifIndex() <= 0 ? OptionalInt.empty() : OptionalInt.of(a.ifIndex()),
                EndpointFlag.of(flags), (int) (flags & ~known));
    }

    // ---- rtnetlink dumps (a socket of their own) ------------------------------------------

    /** Every link, from an {@code RTM_GETLINK} dump on {@code route}. */
    static List<RtLink> dumpLinks(NetlinkSocket route) throws IOException {
        return dump(route, Requests::dumpLinks, "RTM_GETLINK", RtLink::decode);
    }

    /** Every address, from an {@code RTM_GETADDR} dump on {@code route}. */
    static List<RtAddress> dumpAddresses(NetlinkSocket route) throws IOException {
        return dump(route, seq -> Requests.dumpAddresses(seq, 0), "RTM_GETADDR",
                RtAddress::decode);
    }

    private interface Decoder<T> {
        T decode(NetlinkMessage m) throws IOException;
    }

    private static <T> List<T> dump(NetlinkSocket route, IntFunction<byte[]> request,
            String name, Decoder<T> decoder) throws IOException {
        // A dump that raced with a change is flagged; the kernel's advice is to dump again.
        for (int attempt = 0; ; attempt++) {
            int seq = route.nextSequence();
            Reply r = route.transact(seq, request.apply(seq));
            if (r.error().isPresent()) {
                throw refusal(name, r.error().get());
            }
            if (r.isInterrupted() && attempt < 3) {
                continue;
            }
            List<T> out = new ArrayList<>();
            for (NetlinkMessage m : r.messages()) {
                int type = m.header().type();
                if (type == RtNetlink.RTM_NEWLINK || type == RtNetlink.RTM_NEWADDR) {
                    out.add(decoder.decode(m));
                }
            }
            return out;
        }
    }

    @Override
    public void close() throws IOException {
        genl.close();
    }

    /** An errno from the seam while talking to the kernel, in the path manager's words. */
    static IOException failure(String command, ErrnoException e) {
        return NioExceptions.pathManager(command, e.errno(), null, -1);
    }
}
