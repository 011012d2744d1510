package io.mptcp.nio.pm;

import io.mptcp.nio.Subflow;

import java.net.InetSocketAddress;
import java.util.List;

/** How the policies name addresses and subflows in the decisions they report. */
final class PathText {
    private PathText() {
    }

    /** {@code 10.0.1.1:40001}: without the slash of {@link InetSocketAddress#toString()}. */
    static String address(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** {@code [10.0.1.1:40001 -> 10.0.1.2:80, …]}. */
    static String paths(List<Subflow> subflows) {
        return subflows.stream().map(s -> address(s.local()) + " -> " + address(s.remote()))
                .toList().toString();
    }
}
