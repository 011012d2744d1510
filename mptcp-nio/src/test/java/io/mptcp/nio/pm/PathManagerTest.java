package io.mptcp.nio.pm;

import io.mptcp.ffi.Errno;
import io.mptcp.nio.MptcpSelectorProvider;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-kernel path manager through {@link PathManager}, checked against iproute2 (an
 * independent netlink client): what Java sets, {@code ip mptcp endpoint show} and
 * {@code ip mptcp limits} print; what {@code ip} sets, Java reads. In a namespace of its own.
 */
@Timeout(60)
class PathManagerTest {
    private static final MptcpSelectorProvider PROVIDER = new MptcpSelectorProvider();

    private PmNamespace ns;
    private PathManager pm;
    private int ev0;

    @BeforeEach
    void namespace() throws Exception {
        ns = PmNamespace.create();
        ns.ip("link", "add", "ev0", "type", "veth", "peer", "name", "ev1");
        // An endpoint with a port listens on it: its address must be local.
        ns.ip("addr", "add", "10.9.0.1/24", "dev", "ev0");
        ns.ip("addr", "add", "10.9.0.7/24", "dev", "ev0");
        ev0 = Integer.parseInt(ns.exec("cat", "/sys/class/net/ev0/ifindex").trim());
        pm = ns.call(() -> PathManager.open(PROVIDER));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (pm != null) {
            pm.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    /** An endpoint as {@code ip mptcp endpoint show} prints it (iproute2 6.1). */
    private String ipFormat(Endpoint e) {
        StringBuilder b = new StringBuilder(e.address().getHostAddress());
        e.port().ifPresent(p -> b.append(" port ").append(p));
        b.append(" id ").append(e.id());
        for (EndpointFlag f : e.flags()) {
            b.append(' ').append(f.ipName());
        }
        e.interfaceIndex().ifPresent(i -> b.append(" dev ").append(i == ev0 ? "ev0" : "?" + i));
        return b.toString();
    }

    private List<String> ipEndpoints() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : ns.ip("mptcp", "endpoint", "show").split("\n")) {
            if (!line.isBlank()) {
                // The address as Java spells it (ip compresses IPv6 zeros).
                String[] words = line.trim().split(" ", 2);
                out.add(InetAddress.getByName(words[0]).getHostAddress() + " " + words[1]);
            }
        }
        return out;
    }

    private List<String> javaEndpoints() throws Exception {
        List<String> out = new ArrayList<>();
        for (Endpoint e : pm.endpoints()) {
            out.add(ipFormat(e));
        }
        return out;
    }

    @Test
    void endpointsSetInJavaAreWhatIpShows() throws Exception {
        Endpoint signal = pm.addEndpoint(Endpoint.of(InetAddress.getByName("10.9.0.1"),
                EndpointFlag.SIGNAL).withId(5).withPort(1234));
        assertEquals(5, signal.id());
        Endpoint subflow = pm.addEndpoint(Endpoint.of(InetAddress.getByName("10.9.0.2"),
                EndpointFlag.SUBFLOW, EndpointFlag.BACKUP).withInterface(ev0));
        pm.addEndpoint(Endpoint.of(InetAddress.getByName("fd00::3"), EndpointFlag.SUBFLOW,
                EndpointFlag.FULLMESH));
        assertEquals(List.of("10.9.0.1 port 1234 id 5 signal",
                "10.9.0.2 id " + subflow.id() + " subflow backup dev ev0",
                "fd00:0:0:0:0:0:0:3 id " + (subflow.id() + 1) + " subflow fullmesh"),
                ipEndpoints());
        assertEquals(ipEndpoints(), javaEndpoints());

        pm.setFlags(subflow.id(), EnumSet.of(EndpointFlag.SUBFLOW));
        assertTrue(ipEndpoints().contains("10.9.0.2 id " + subflow.id() + " subflow dev ev0"),
                ipEndpoints().toString());
        pm.removeEndpoint(5);
        assertEquals(ipEndpoints(), javaEndpoints());
        assertEquals(2, ipEndpoints().size());
        pm.flushEndpoints();
        assertEquals(List.of(), ipEndpoints());
        assertEquals(List.of(), pm.endpoints());
    }

    @Test
    void endpointsSetWithIpAreWhatJavaReads() throws Exception {
        ns.ip("mptcp", "endpoint", "add", "10.9.0.7", "id", "7", "signal", "port", "4321");
        ns.ip("mptcp", "endpoint", "add", "10.9.0.8", "subflow", "backup", "dev", "ev0");
        ns.ip("mptcp", "endpoint", "add", "fd00::9", "subflow", "fullmesh");
        assertEquals(ipEndpoints(), javaEndpoints());
        Endpoint seven = pm.endpoint(7).orElseThrow();
        assertEquals(new Endpoint(7, InetAddress.getByName("10.9.0.7"),
                java.util.OptionalInt.of(4321), java.util.OptionalInt.empty(),
                Set.of(EndpointFlag.SIGNAL), 0), seven);
    }

    @Test
    void limitsBothWays() throws Exception {
        pm.setLimits(new PathManagerLimits(5, 3));
        assertEquals("add_addr_accepted 3 subflows 5", ns.ip("mptcp", "limits").trim());
        ns.ip("mptcp", "limits", "set", "subflows", "1", "add_addr_accepted", "7");
        assertEquals(new PathManagerLimits(1, 7), pm.limits());
    }

    @Test
    void refusalsCarryTheKernelsReason() throws Exception {
        PathManagerException e = assertThrows(PathManagerException.class,
                () -> pm.setLimits(new PathManagerLimits(9, 0)));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("SET_LIMITS", e.command());
        assertEquals("limit greater than maximum (8)", e.kernelMessage().orElseThrow());
        assertTrue(e.getMessage().contains("limit greater than maximum (8)"), e.getMessage());

        Endpoint withPort = Endpoint.of(InetAddress.getByName("10.9.0.1"), EndpointFlag.SUBFLOW)
                .withPort(80);
        PathManagerException port = assertThrows(PathManagerException.class,
                () -> pm.addEndpoint(withPort));
        assertEquals(Errno.EINVAL, port.errno());
        assertTrue(port.kernelMessage().isPresent(), port.getMessage());

        assertThrows(PathManagerException.class, () -> pm.removeEndpoint(42));
    }

    @Test
    void typeOfTheNamespace() throws Exception {
        assertEquals(PathManager.Type.KERNEL, ns.call(PathManager::type));
        ns.exec("sysctl", "-q", "-w", "net.mptcp.path_manager=userspace");
        assertEquals(PathManager.Type.USERSPACE, ns.call(PathManager::type));
    }

    @Test
    void epermNamesTheCapabilityAndTheRule() {
        PathManagerException e = io.mptcp.nio.internal.fd.NioExceptions.pathManager("ADD_ADDR",
                Errno.EPERM, null, -1);
        assertTrue(e.getMessage().contains("CAP_NET_ADMIN"), e.getMessage());
        assertTrue(e.getMessage().contains("user namespace that owns this network namespace"),
                e.getMessage());
        assertEquals(Errno.EPERM, ((io.mptcp.ffi.ErrnoException) e.getCause()).errno());
    }
}
