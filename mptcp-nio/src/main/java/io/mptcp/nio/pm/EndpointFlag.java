package io.mptcp.nio.pm;

import java.util.EnumSet;
import java.util.Set;

/**
 * The flags of an in-kernel path-manager endpoint, as {@code ip mptcp endpoint} names them
 * ({@code MPTCP_PM_ADDR_FLAG_*}).
 */
public enum EndpointFlag {
    /** Announce the address to peers (ADD_ADDR). */
    SIGNAL(1, "signal"),
    /** Open subflows from this address to the peer. */
    SUBFLOW(1 << 1, "subflow"),
    /** Subflows over this address are backups. Changeable on an existing endpoint. */
    BACKUP(1 << 2, "backup"),
    /** A subflow from this address to every address the peer announced, Linux 5.15. */
    FULLMESH(1 << 3, "fullmesh"),
    /** Created by the kernel for an address a peer's join used, Linux 5.18; never set. */
    IMPLICIT(1 << 4, "implicit"),
    /** Subflows to announced addresses without full mesh, Linux 6.18. */
    LAMINAR(1 << 5, "laminar");

    private final int bit;
    private final String ipName;

    EndpointFlag(int bit, String ipName) {
        this.bit = bit;
        this.ipName = ipName;
    }

    /**
     * The kernel's bit.
     *
     * @return the flag's single bit ({@code MPTCP_PM_ADDR_FLAG_*}), such as 1 for
     *     {@link #SIGNAL}
     */
    public int bit() {
        return bit;
    }

    /**
     * The word {@code ip mptcp endpoint} uses.
     *
     * @return the flag's name in {@code ip mptcp endpoint}, such as {@code "signal"}
     */
    public String ipName() {
        return ipName;
    }

    /**
     * The bits of {@code flags}.
     *
     * @param flags the flags
     * @return the bits of the flags ORed together, 0 for none
     */
    public static int bits(Set<EndpointFlag> flags) {
        int bits = 0;
        for (EndpointFlag f : flags) {
            bits |= f.bit;
        }
        return bits;
    }

    /**
     * The flags of {@code bits} this library knows.
     *
     * @param bits flag bits as the kernel sends them ({@code MPTCP_PM_ATTR_ADDR_FLAGS})
     * @return a new, modifiable set of the flags whose bit is set; bits this library does
     *     not know are left out
     */
    public static Set<EndpointFlag> of(long bits) {
        Set<EndpointFlag> out = EnumSet.noneOf(EndpointFlag.class);
        for (EndpointFlag f : values()) {
            if ((bits & f.bit) != 0) {
                out.add(f);
            }
        }
        return out;
    }
}
