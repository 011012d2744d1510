package io.mptcp.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.agent.AgentOptions.Route;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    @Test
    void noOptionsMeansEveryRoute() {
        AgentOptions o = AgentOptions.parse(null);
        assertEquals(EnumSet.allOf(Route.class), o.routes());
        assertFalse(o.explicitRoutes());
        assertNull(o.mode());
        assertEquals(o, AgentOptions.parse(""));
    }

    @Test
    void namedRoutesAndSettings() {
        AgentOptions o = AgentOptions.parse("socket, nio,mode=client,strict=true,verbose");
        assertEquals(Set.of(Route.NIO, Route.SOCKET), o.routes());
        assertTrue(o.explicitRoutes());
        assertEquals("client", o.mode());
        assertEquals("true", o.strict());
        assertTrue(o.verbose());
    }

    @Test
    void badOptionsAreNamed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> AgentOptions.parse("nio,sockets"));
        assertTrue(unknown.getMessage().contains("'sockets'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("mode=some"));
        assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse("strict=yes"));
    }

    @Test
    void aBadOptionPrintsOneLineAndInstallsNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Route> installed = MptcpAgent.run("nio,bogus",
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String err = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(installed.isEmpty());
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("mptcp-nio-agent: not installed, JDK defaults kept: unknown"
                + " option 'bogus'"), err);
        assertNull(System.getProperty(MptcpAgent.SELECTOR_PROPERTY));
    }

    @Test
    void asyncNamedButAbsentIsReportedAndNothingElseChanges() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Route> installed = MptcpAgent.run("async",
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String err = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(installed.isEmpty());
        assertEquals("mptcp-nio-agent: async: not installed: this build has no "
                + MptcpAgent.ASYNC_PROVIDER, err.strip());
        assertNull(System.getProperty(MptcpAgent.ASYNC_PROPERTY));
    }
}
