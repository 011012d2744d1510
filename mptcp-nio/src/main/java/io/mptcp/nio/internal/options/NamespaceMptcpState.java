package io.mptcp.nio.internal.options;

import io.mptcp.nio.internal.fd.Privileged;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The MPTCP state of the calling thread's network namespace, as the kernel shows it in text: the
 * {@code MPTcpExt} counters of {@code netstat} (net/mptcp/mib.c) and the {@code net.mptcp}
 * sysctls. Read once per question; nothing here is per socket.
 *
 * <p>{@code /proc/thread-self/net}, not {@code /proc/net}: the latter is the namespace of the
 * process's first thread, which differs for a thread that entered another one with
 * {@code setns(2)}. Sysctls under {@code /proc/sys/net} are the opener's namespace already.
 */
public final class NamespaceMptcpState {
    static final String NETSTAT = "/proc/thread-self/net/netstat";
    static final String SYSCTL_DIR = "/proc/sys/net/mptcp/";
    private static final String MPTCP_EXT = "MPTcpExt:";

    /** Reads a text file; empty if it does not exist or cannot be read. */
    @FunctionalInterface
    interface TextFiles {
        Optional<String> read(String path);
    }

    // One large read first: Files.readString reads one byte, then the rest from offset 1, and
    // an integer sysctl answers a read at a non-zero offset with EOF (proc_dointvec), so
    // blackhole_timeout 3600 would read "3".
    private static final TextFiles PROC = path -> Privileged.run(() -> {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException | SecurityException e) {
            // Absent (no MPTCP, old kernel) or unreadable: the answer says "unknown".
            return Optional.empty();
        }
    });

    private final TextFiles files;
    private Map<String, Long> counters;

    NamespaceMptcpState(TextFiles files) {
        this.files = files;
    }

    /** The calling thread's namespace, read lazily. Not thread-safe: one per question. */
    public static NamespaceMptcpState current() {
        return new NamespaceMptcpState(PROC);
    }

    /** An {@code MPTcpExt} counter, empty if this kernel does not have it. */
    OptionalLong counter(String name) {
        if (counters == null) {
            counters = files.read(NETSTAT).map(NamespaceMptcpState::parseMptcpExt)
                    .orElse(Map.of());
        }
        Long v = counters.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** A {@code net.mptcp} sysctl's value, trimmed; empty if this kernel does not have it. */
    Optional<String> sysctl(String name) {
        return files.read(SYSCTL_DIR + name).map(String::trim);
    }

    /**
     * The {@code MPTcpExt} counters of a {@code netstat} text, by name: a line of names and a
     * line of values, both starting with {@code MPTcpExt:}. Empty if the text has no such pair;
     * a value that is not a number is left out.
     */
    static Map<String, Long> parseMptcpExt(String netstat) {
        String names = null;
        for (String line : netstat.split("\n")) {
            if (!line.startsWith(MPTCP_EXT)) {
                continue;
            }
            if (names == null) {
                names = line;
                continue;
            }
            String[] n = names.substring(MPTCP_EXT.length()).trim().split("\\s+");
            String[] v = line.substring(MPTCP_EXT.length()).trim().split("\\s+");
            Map<String, Long> counters = new LinkedHashMap<>();
            for (int i = 0; i < Math.min(n.length, v.length); i++) {
                try {
                    counters.put(n[i], Long.parseUnsignedLong(v[i]));
                } catch (NumberFormatException notANumber) {
                    // Never seen; one bad field must not hide the others.
                }
            }
            return Collections.unmodifiableMap(counters);
        }
        return Map.of();
    }
}
