package io.mptcp.nio.contract.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The factory route for real, in a child JVM (the factories are JVM-wide and set once):
 * {@code MptcpSockets.install()}, then plain {@code new Socket(host, port)},
 * {@code new ServerSocket} and its own {@code accept()} (which takes the accepted socket's impl
 * from the client factory), {@code Socket(Proxy.NO_PROXY)} on ours, {@code Socket(SOCKS proxy)}
 * on the JDK's impl speaking SOCKS to the proxy, and a {@code socksProxyHost} setting refused
 * with a message instead of bypassed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketImplFactoryChildJvmTest {

    @Test
    void factoriesInstalledJvmWide() throws Exception {
        Map<String, String> facts = run(FactoryProbe.class.getName());
        assertEquals("true", facts.get("installed"), facts.toString());
        assertEquals("refused", facts.get("second-factory"));
        assertEquals("ping", facts.get("echo"));
        assertEquals("true", facts.get("client-mptcp"));
        assertEquals("true", facts.get("accepted-mptcp"));
        assertEquals("true", facts.get("listener-mptcp"));
        assertEquals("true", facts.get("no-proxy-ours"));
        assertEquals("false", facts.get("socks-ours"), "SOCKS keeps the JDK's impl");
        assertEquals("5", facts.get("socks-greeting"), "SOCKS 5 greeting at the proxy");
        assertEquals("refused:true", facts.get("socks-property"));
        assertTrue(facts.containsKey("done"));
    }

    static Map<String, String> run(String mainClass) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dio.mptcp.nio.mode=all", "-cp", System.getProperty("java.class.path"),
                mainClass));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "child JVM did not exit: " + out);
        assertEquals(0, p.exitValue(), "child JVM failed:\n" + out);
        Map<String, String> facts = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                facts.put(line.substring(0, eq), line.substring(eq + 1));
            } else if (line.equals("done")) {
                facts.put("done", "");
            }
        }
        return facts;
    }
}
