package io.mptcp.nio.internal.net;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.options.NativeSocketOptions;

import java.io.IOException;

/**
 * Turns an unbound, unconnected socket into one of the other protocol (MPTCP or TCP) under the
 * same descriptor number.
 *
 * <p>Linux cannot change the protocol of a socket, so a new socket is opened, given the
 * options set on the old one, and {@code dup3(2)} puts it under the old descriptor number, which
 * closes the old socket atomically. Keeping the number keeps everything that names the
 * descriptor valid: the channel's fields, its selection keys, the wakeup wiring. Epoll is the
 * exception: it drops the entry of the closed file, so the caller must have its selectors
 * register the descriptor again.
 *
 * <p>The switch runs under the channel's locks (at least its state lock, which it asserts), so
 * that no other thread uses the descriptor meanwhile, and the caller checks that the socket is
 * neither bound nor connected: only then does the old socket hold nothing but options.
 */
public final class ProtocolSwitch {
    private ProtocolSwitch() {
    }

    /**
     * Replaces the socket at {@code fd} with a new one of the protocol asked for; on failure
     * the old socket is left as it was.
     *
     * @param af the socket's family, {@code AF_INET} or {@code AF_INET6}
     * @param options the options of the socket at {@code fd}; they describe the new one after
     * @param replaced run as soon as {@code fd} names the new socket (the channel has its
     *     selectors register it again), before anything else can fail
     */
    public static void replace(Descriptor descriptor, InetSockets sockets, int af,
            boolean mptcp, NativeSocketOptions options, Runnable replaced) throws IOException {
        assert descriptor.holdsStateLock();
        LinuxSyscalls sys = descriptor.sys();
        int fd = descriptor.fd();
        InetSockets.OpenedSocket fresh = sockets.openExactly(sys, af, mptcp);
        int protocol = mptcp ? LinuxUapi.IPPROTO_MPTCP : LinuxUapi.IPPROTO_TCP;
        try {
            NativeSocketOptions replayed = options.replayOn(fresh.fd(), protocol);
            sys.dup3(fresh.fd(), fd, LinuxUapi.O_CLOEXEC);
            options.adopt(replayed);
            options.origin(fresh.origin());
            replaced.run();
        } catch (ErrnoException e) {
            InetSockets.closeQuietly(sys, fresh.fd(), e);
            throw NioExceptions.socket(e);
        } catch (IOException | RuntimeException e) {
            InetSockets.closeQuietly(sys, fresh.fd(), e);
            throw e;
        }
        try {
            sys.close(fresh.fd());
        } catch (ErrnoException e) {
            // The switch is done and the selectors know: only the spare number could leak.
            throw NioExceptions.socket(e);
        }
    }
}
