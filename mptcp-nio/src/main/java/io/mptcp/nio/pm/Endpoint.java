package io.mptcp.nio.pm;

import java.net.InetAddress;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An endpoint of the in-kernel path manager: a local address it uses for MPTCP, as
 * {@code ip mptcp endpoint} shows and adds it.
 *
 * @param id the endpoint id 1..255; 0 in a request lets the kernel choose
 * @param address the local address
 * @param port the port to announce (with {@link EndpointFlag#SIGNAL} only; the kernel then
 *     listens on it), if any
 * @param interfaceIndex the interface subflows from this address are bound to, if any
 * @param flags the flags this library knows
 * @param otherFlags flag bits of a newer kernel this library does not know, kept as sent
 */
public record Endpoint(int id, InetAddress address, OptionalInt port,
        OptionalInt interfaceIndex, Set<EndpointFlag> flags, int otherFlags) {

    /**
     * Checks the components and copies {@code flags}, so that the endpoint stays immutable.
     *
     * @param id the endpoint id 1..255, or 0 in a request to let the kernel choose
     * @param address the local address
     * @param port the port to announce, 1..65535, or empty for none
     * @param interfaceIndex the index of the interface to bind subflows to (positive), or
     *     empty for none
     * @param flags the flags this library knows (copied; later changes to it do not show)
     * @param otherFlags flag bits this library does not know, kept as they are
     * @throws IllegalArgumentException if {@code id} is outside 0..255, {@code port} outside
     *     1..65535 or {@code interfaceIndex} not positive
     * @throws NullPointerException if {@code address}, {@code port},
     *     {@code interfaceIndex} or {@code flags} is null
     */
    public Endpoint {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("endpoint id " + id + " outside 0..255");
        }
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(interfaceIndex, "interfaceIndex");
        if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) {
            throw new IllegalArgumentException("port " + port.getAsInt() + " outside 1..65535");
        }
        if (interfaceIndex.isPresent() && interfaceIndex.getAsInt() <= 0) {
            throw new IllegalArgumentException("interface index " + interfaceIndex.getAsInt()
                    + " is not positive");
        }
        Set<EndpointFlag> copy = EnumSet.noneOf(EndpointFlag.class);
        copy.addAll(flags);
        flags = Collections.unmodifiableSet(copy);
    }

    /**
     * A new endpoint of {@code address} with {@code flags}; the kernel chooses the id.
     *
     * @param address the local address
     * @param flags the endpoint's flags, such as {@link EndpointFlag#SUBFLOW} or
     *     {@link EndpointFlag#SIGNAL}; none is allowed
     * @return an endpoint of id 0, without port, interface or unknown flag bits, for
     *     {@link PathManager#addEndpoint(Endpoint)}
     */
    public static Endpoint of(InetAddress address, EndpointFlag... flags) {
        Set<EndpointFlag> set = EnumSet.noneOf(EndpointFlag.class);
        Collections.addAll(set, flags);
        return new Endpoint(0, address, OptionalInt.empty(), OptionalInt.empty(), set, 0);
    }

    /**
     * This endpoint with another id.
     *
     * @param newId the endpoint id 1..255, or 0 to let the kernel choose
     * @return an endpoint equal to this one but for its id
     * @throws IllegalArgumentException if {@code newId} is outside 0..255
     */
    public Endpoint withId(int newId) {
        return new Endpoint(newId, address, port, interfaceIndex, flags, otherFlags);
    }

    /**
     * This endpoint announcing a port: the kernel then listens on it, which it accepts only
     * with {@link EndpointFlag#SIGNAL} and without {@link EndpointFlag#SUBFLOW}.
     *
     * @param newPort the port to announce, 1..65535
     * @return an endpoint equal to this one but for its port
     * @throws IllegalArgumentException if {@code newPort} is outside 1..65535
     */
    public Endpoint withPort(int newPort) {
        return new Endpoint(id, address, OptionalInt.of(newPort), interfaceIndex, flags,
                otherFlags);
    }

    /**
     * Binds the endpoint's subflows to the interface of index {@code index}.
     *
     * @param index the interface index, positive
     * @return an endpoint equal to this one but for its interface
     * @throws IllegalArgumentException if {@code index} is not positive
     */
    public Endpoint withInterface(int index) {
        return new Endpoint(id, address, port, OptionalInt.of(index), flags, otherFlags);
    }

    /**
     * This endpoint with other flags; the flag bits this library does not know
     * ({@link #otherFlags()}) are kept.
     *
     * @param newFlags the flags this library knows (copied)
     * @return an endpoint equal to this one but for its flags
     * @throws NullPointerException if {@code newFlags} is null
     */
    public Endpoint withFlags(Set<EndpointFlag> newFlags) {
        return new Endpoint(id, address, port, interfaceIndex, newFlags, otherFlags);
    }
}
