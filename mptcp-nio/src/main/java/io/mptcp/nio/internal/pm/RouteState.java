package io.mptcp.nio.internal.pm;

import io.mptcp.nio.internal.netlink.RtAddress;
import io.mptcp.nio.internal.netlink.RtLink;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the application has been told about links and local addresses (seeded from dumps when
 * the channel opens), so that after an rtnetlink overrun a fresh dump can be turned into the
 * events that were missed ({@link EventSource#SNAPSHOT}). Not thread-safe.
 */
final class RouteState {

    private record Link(boolean up, Optional<String> name) {
    }

    private record Address(int index, InetAddress address, int prefixLength) {
    }

    private final Map<Integer, Link> links = new HashMap<>();
    // the address with its label, as last told
    private final Map<Address, Optional<String>> addresses = new LinkedHashMap<>();

    /** Records what {@code event} told the application. */
    void apply(MptcpEvent event) {
        if (event instanceof MptcpEvent.LinkUp l) {
            links.put(l.interfaceIndex(), new Link(true, l.name()));
        } else if (event instanceof MptcpEvent.LinkDown l) {
            links.put(l.interfaceIndex(), new Link(false, l.name()));
        } else if (event instanceof MptcpEvent.LocalAddressAdded a) {
            addresses.put(new Address(a.interfaceIndex(), a.address(), a.prefixLength()),
                    a.label());
        } else if (event instanceof MptcpEvent.LocalAddressRemoved a) {
            addresses.remove(new Address(a.interfaceIndex(), a.address(), a.prefixLength()));
        }
    }

    /**
     * The events that turn what the application knows into the dumped {@code nowLinks} and
     * {@code nowAddresses}, recorded as told.
     */
    List<MptcpEvent> diff(List<RtLink> nowLinks, List<RtAddress> nowAddresses) {
        List<MptcpEvent> out = new ArrayList<>();
        Map<Integer, RtLink> dumped = new HashMap<>();
        for (RtLink l : nowLinks) {
            dumped.put(l.index(), l);
            Link before = links.get(l.index());
            if (before == null || before.up() != l.isUp()) {
                out.add(MptcpEvents.fromLink(l, EventSource.SNAPSHOT));
            }
        }
        for (Map.Entry<Integer, Link> e : List.copyOf(links.entrySet())) {
            if (!dumped.containsKey(e.getKey()) && e.getValue().up()) {
                out.add(new MptcpEvent.LinkDown(EventSource.SNAPSHOT, e.getKey(),
                        e.getValue().name()));
            }
        }
        Map<Address, RtAddress> now = new LinkedHashMap<>();
        for (RtAddress a : nowAddresses) {
            if (a.localAddress().isPresent()) {
                now.put(new Address(a.index(), a.localAddress().get(), a.prefixLength()), a);
            }
        }
        for (Map.Entry<Address, Optional<String>> e : List.copyOf(addresses.entrySet())) {
            Address k = e.getKey();
            if (!now.containsKey(k)) {
                out.add(new MptcpEvent.LocalAddressRemoved(EventSource.SNAPSHOT, k.index(),
                        k.address(), k.prefixLength(), e.getValue()));
            }
        }
        for (Map.Entry<Address, RtAddress> e : now.entrySet()) {
            if (!addresses.containsKey(e.getKey())) {
                MptcpEvents.fromAddress(e.getValue(), EventSource.SNAPSHOT).ifPresent(out::add);
            }
        }
        for (MptcpEvent e : out) {
            apply(e);
        }
        links.keySet().retainAll(dumped.keySet());
        return out;
    }
}
