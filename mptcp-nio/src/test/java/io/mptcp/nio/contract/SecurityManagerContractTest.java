package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.MptcpSelectorProvider;

/**
 * The security manager's checks (JDK 17 to 23; JDK 24 removed the security manager): the same
 * program ({@link SecurityManagerChild}) runs in a child JVM under a security manager, once
 * with the JDK's provider and once with ours in each mode; its code may connect to and accept
 * from 127.0.0.1 and bind ephemeral ports only, while the JDK and the libraries (ours, jnr-ffi,
 * asm) may do anything. Every case must come out as with the JDK: {@code checkConnect},
 * {@code checkListen}, {@code checkAccept} (the refused connection is dropped),
 * {@code checkMulticast}, the UNIX-domain permission, datagrams from a sender it may not
 * accept from dropped, a local address it may not see shown as the loopback address, and
 * reading a file to send it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecurityManagerContractTest {

    private static final List<String> EXPECTED = List.of(
            "server toString: returned [localhost/127.0.0.1:PORT]",
            "connect to 127.0.0.1: returned true",
            "accept from 127.0.0.1: returned true",
            "send a file: threw java.security.AccessControlException",
            "connect to 127.0.0.2: threw java.security.AccessControlException",
            "open after a refused connect: returned true",
            "bind to a fixed port: threw java.security.AccessControlException",
            "listen on a fixed port: threw java.security.AccessControlException",
            "local address bound to 127.0.0.2: returned 127.0.0.1",
            "adaptor local address: returned 127.0.0.1",
            "accept from 127.0.0.2: threw java.security.AccessControlException",
            "accept from 127.0.0.1 after: returned 127.0.0.1",
            "UNIX connect: threw java.security.AccessControlException",
            "UNIX listen: threw java.security.AccessControlException",
            "send to 127.0.0.2: threw java.security.AccessControlException",
            "datagram connect to 127.0.0.2: threw java.security.AccessControlException",
            "send from 127.0.0.2: returned 7",
            "send from 127.0.0.1: returned 4",
            "receive: returned 127.0.0.1 kept",
            "join: threw java.security.AccessControlException",
            "done");

    @TempDir
    Path dir;

    @Test
    void bothProvidersCheckTheSamePermissions() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() < 24, "JDK "
                + Runtime.version().feature() + " has no security manager (removed in 24)");
        Path policy = writePolicy();
        assertEquals(EXPECTED, run(policy, "jdk", "all"), "the JDK's provider");
        assertEquals(EXPECTED, run(policy, "mptcp", "all"), "ours, mode all (MPTCP)");
        assertEquals(EXPECTED, run(policy, "mptcp", "off"), "ours, mode off (TCP)");
    }

    /**
     * All permissions for the libraries (our classes, and the Maven repository that holds
     * jnr-ffi, jffi and asm); for the program's own classes only these: connect to and accept
     * from 127.0.0.1, bind ephemeral ports.
     */
    private Path writePolicy() throws IOException {
        StringBuilder p = new StringBuilder();
        for (String trusted : List.of(codeBase(MptcpSelectorProvider.class),
                codeBase(LinuxSyscalls.class), repository(jnr.ffi.Runtime.class))) {
            p.append("grant codeBase \"").append(trusted).append("\" {\n")
                    .append("    permission java.security.AllPermission;\n};\n");
        }
        p.append("grant codeBase \"").append(codeBase(SecurityManagerChild.class))
                .append("\" {\n")
                .append("    permission java.net.SocketPermission \"127.0.0.1:1024-\",")
                .append(" \"connect,accept\";\n")
                .append("    permission java.net.SocketPermission \"localhost:0\", \"listen\";\n")
                .append("    permission java.lang.RuntimePermission \"setSecurityManager\";\n")
                .append("};\n");
        Path file = dir.resolve("child.policy");
        Files.writeString(file, p, StandardCharsets.UTF_8);
        return file;
    }

    /** A class's class-path entry as a policy code base: {@code file:/dir/-} or the jar. */
    private static String codeBase(Class<?> c) {
        URL url = c.getProtectionDomain().getCodeSource().getLocation();
        String s = url.toString();
        return s.endsWith("/") ? s + "-" : s;
    }

    /** The local Maven repository that holds {@code c}'s jar, as a code base. */
    private static String repository(Class<?> c) {
        try {
            Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            while (p != null && !p.getFileName().toString().equals("repository")) {
                p = p.getParent();
            }
            if (p == null) {
                throw new IllegalStateException(c + " is not in a Maven repository");
            }
            return p.toUri().toString() + "-";
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> run(Path policy, String provider, String mode)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.security.manager=allow",
                "-Djava.security.policy==" + policy,
                "-Dio.mptcp.nio.mode=" + mode));
        if (!provider.equals("jdk")) {
            cmd.add("-Djava.nio.channels.spi.SelectorProvider="
                    + MptcpSelectorProvider.class.getName());
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                SecurityManagerChild.class.getName(), provider));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.startsWith("WARNING")) {
                lines.add(line);
            }
        }
        if (!lines.contains("done")) {
            throw new AssertionError("child " + provider + " failed:\n" + output);
        }
        return lines;
    }
}
