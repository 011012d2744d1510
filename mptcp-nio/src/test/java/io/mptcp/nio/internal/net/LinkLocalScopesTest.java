package io.mptcp.nio.internal.net;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Which scope an unscoped link-local address gets back, and from where. */
class LinkLocalScopesTest {
    // /proc/net/if_inet6 as Linux writes it: address, index, prefix, scope, flags, name (hex).
    private static final String IF_INET6 = String.join("\n",
            "00000000000000000000000000000001 01 80 10 80       lo",
            "fe800000000000000000000000000001 03 40 20 80      mc0",
            "fe800000000000000000000000000002 03 40 20 80      mc0",
            "fe800000000000000000000000000002 0a 40 20 80      mc9",
            "20010db8000000000000000000000001 0b 40 00 80     eth1");

    private static int holding(String literal) throws Exception {
        return LinkLocalScopes.interfaceHolding(InetAddress.getByName(literal).getAddress(),
                new BufferedReader(new StringReader(IF_INET6)));
    }

    @Test
    void theOneInterfaceThatHasTheAddressGivesTheScope() throws Exception {
        assertEquals(3, holding("fe80::1"));
        assertEquals(0x0b, holding("2001:db8::1"), "the index is hexadecimal");
    }

    @Test
    void anAddressOnSeveralInterfacesOrOnNoneGetsNoScope() throws Exception {
        assertEquals(0, holding("fe80::2"), "mc0 and mc9: which link is unknowable");
        assertEquals(0, holding("fe80::3"));
    }

    @Test
    void aKnownScopeIsUsedAndOtherAddressesAreLeftAsTheyAre() throws Exception {
        InetSocketAddress unscoped = new InetSocketAddress(InetAddress.getByName("fe80::7"), 80);
        InetSocketAddress scoped = LinkLocalScopes.local(unscoped, 42);
        assertEquals(42, ((Inet6Address) scoped.getAddress()).getScopeId());
        assertEquals(80, scoped.getPort());
        assertSame(scoped, LinkLocalScopes.local(scoped, 7), "a scope is never replaced");
        assertEquals(42, ((Inet6Address) LinkLocalScopes.peer(
                new InetSocketAddress(InetAddress.getByName("fe80::8"), 9), scoped)
                .getAddress()).getScopeId(), "the peer is on the local address's link");

        InetSocketAddress global = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1);
        assertSame(global, LinkLocalScopes.local(global, 42));
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1);
        assertSame(v4, LinkLocalScopes.local(v4, 42));
        assertSame(v4, LinkLocalScopes.peer(v4, scoped));
    }
}
