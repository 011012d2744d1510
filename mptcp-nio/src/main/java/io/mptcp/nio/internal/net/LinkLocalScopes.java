package io.mptcp.nio.internal.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The scope (interface index) of IPv6 link-local socket addresses, which an MPTCP socket does
 * not report: {@code getsockname(2)}, {@code getpeername(2)} and {@code accept4(2)} give scope
 * id 0 for every address of an MPTCP socket (Linux 6.18, both for listeners and connections),
 * because the kernel fills it from the MPTCP socket's own bound device, which stays unset: the
 * scope lives on its TCP subflows. A TCP socket reports it, so the JDK's channels do, and an
 * address without it cannot be used again: connecting to an unscoped {@code fe80::} address
 * fails with {@code EINVAL}.
 *
 * <p>The scope is restored from what the socket was given (the address it was bound to, else
 * the one it connected to); failing that, from the one interface that has the local address
 * ({@code /proc/thread-self/net/if_inet6}, the calling thread's network namespace, which is
 * where the socket lives unless a program moves sockets between namespaces). The peer of a
 * link-local connection is on the link of the local address, so it gets that scope. An address
 * found on several interfaces, or on none, stays without scope.
 */
public final class LinkLocalScopes {
    // The calling thread's namespace: /proc/net is the process's (its first thread's), which
    // differs for a thread that entered another namespace with setns(2).
    private static final Path IF_INET6 = Path.of("/proc/thread-self/net/if_inet6");

    private LinkLocalScopes() {
    }

    /** The scope id of a scoped IPv6 link-local socket address, else 0. */
    public static int scopeOf(SocketAddress address) {
        if (address instanceof InetSocketAddress isa
                && isa.getAddress() instanceof Inet6Address a6 && a6.isLinkLocalAddress()) {
            return a6.getScopeId();
        }
        return 0;
    }

    /**
     * {@code address} with its scope restored, when it is an IPv6 link-local address without
     * one: {@code knownScope} if not 0, else the interface that has this address. Any other
     * address is returned as it is.
     */
    public static InetSocketAddress local(InetSocketAddress address, int knownScope) {
        if (!lacksScope(address)) {
            return address;
        }
        int scope = knownScope != 0 ? knownScope
                : interfaceHolding(address.getAddress().getAddress());
        return withScope(address, scope);
    }

    /**
     * The peer's {@code address} with the scope of {@code local}, the address of this end of
     * the connection, when the peer's is an IPv6 link-local address without one.
     */
    public static InetSocketAddress peer(InetSocketAddress address, SocketAddress local) {
        if (!lacksScope(address)) {
            return address;
        }
        return withScope(address, scopeOf(local));
    }

    /** Whether {@code address} is an IPv6 link-local address without scope. */
    public static boolean lacksScope(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address a6 && a6.isLinkLocalAddress()
                && a6.getScopeId() == 0;
    }

    private static InetSocketAddress withScope(InetSocketAddress address, int scope) {
        if (scope == 0) {
            return address;
        }
        try {
            InetAddress scoped = Inet6Address.getByAddress(null,
                    address.getAddress().getAddress(), scope);
            return new InetSocketAddress(scoped, address.getPort());
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are an IPv6 address", e);
        }
    }

    /**
     * The index of the one interface that has {@code address} (16 bytes), from
     * {@code if_inet6} lines ({@code <32 hex digits> <index hex> <prefix> <scope> <flags>
     * <name>}); 0 if none or several have it, or the file cannot be read.
     */
    static int interfaceHolding(byte[] address) {
        try (BufferedReader lines = Files.newBufferedReader(IF_INET6, StandardCharsets.US_ASCII)) {
            return interfaceHolding(address, lines);
        } catch (IOException | RuntimeException unreadable) {
            // No IPv6, no procfs: the address keeps the kernel's answer.
            return 0;
        }
    }

    static int interfaceHolding(byte[] address, BufferedReader ifInet6) throws IOException {
        String hex = HexFormat.of().formatHex(address);
        int found = 0;
        for (String line; (line = ifInet6.readLine()) != null; ) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 2 || !fields[0].equalsIgnoreCase(hex)) {
                continue;
            }
            int index = Integer.parseInt(fields[1], 16);
            if (found != 0 && found != index) {
                return 0;
            }
            found = index;
        }
        return found;
    }
}
