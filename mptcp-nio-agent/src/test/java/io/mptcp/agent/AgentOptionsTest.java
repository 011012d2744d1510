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
    void asyncNamedInstallsTheAsynchronousProviderOfThisBuild() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            List<Route> installed = MptcpAgent.run("async",
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertEquals(List.of(Route.ASYNC), installed,
                    bytes.toString(StandardCharsets.UTF_8));
            assertEquals(MptcpAgent.ASYNC_PROVIDER,
                    System.getProperty(MptcpAgent.ASYNC_PROPERTY));
            assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.clearProperty(MptcpAgent.ASYNC_PROPERTY);
        }
    }

    @Test
    void anAsynchronousProviderSetOnTheCommandLineWins() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setProperty(MptcpAgent.ASYNC_PROPERTY, "com.example.Other");
        try {
            List<Route> installed = MptcpAgent.run("async",
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String err = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(installed.isEmpty());
            assertEquals("mptcp-nio-agent: async: not installed: -D"
                    + MptcpAgent.ASYNC_PROPERTY + "=com.example.Other is set on the command"
                    + " line, and it wins", err.strip());
            assertEquals("com.example.Other", System.getProperty(MptcpAgent.ASYNC_PROPERTY));
        } finally {
            System.clearProperty(MptcpAgent.ASYNC_PROPERTY);
        }
    }
}
