package io.mptcp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel shows for one loopback connection, read with {@code ss} (iproute2) from
 * outside the program: the MPTCP sockets ({@code ss -HMni}, inet_diag of the MPTCP family) and
 * the TCP sockets ({@code ss -Htni}, where MPTCP subflows carry {@code tcp-ulp-mptcp}).
 *
 * <p>The connection is identified by its two ports; an established socket belongs to it when
 * its local and peer ports are those two, in either order, so both ends are found. (Sockets in
 * other states are left out: a TIME-WAIT left by an older connection on the same ports is not
 * this connection.)
 *
 * @param mptcp MPTCP sockets of the connection: one per end while it is MPTCP
 * @param tcp TCP sockets of the connection: the plain sockets, or the subflows of MPTCP ones
 */
public record KernelView(List<Entry> mptcp, List<Entry> tcp) {

    private static final Duration SS_TIMEOUT = Duration.ofSeconds(20);

    /** Reads both tables now. */
    public static KernelView of(int portA, int portB) {
        return select(parse(ss("-HMni")), parse(ss("-Htni")), portA, portB);
    }

    /**
     * Reads both tables inside network namespace {@code ns} ({@code ip netns exec NS ss …}): the
     * sockets of one end of a connection between two namespaces.
     */
    public static KernelView of(NetNamespace ns, int portA, int portB) {
        return select(parse(ns.exec("ss", "-HMni")), parse(ns.exec("ss", "-Htni")), portA,
                portB);
    }

    /**
     * Every established connection with one end on {@code port} (a server's listening port),
     * read now, one view per connection: those a server accepted, whoever opened them. Empty
     * when there is none.
     */
    public static List<KernelView> connectionsOn(int port) {
        return connectionsOn(parse(ss("-HMni")), parse(ss("-Htni")), port);
    }

    /** The views of {@link #connectionsOn(int)} in parsed tables, by the other end's port. */
    static List<KernelView> connectionsOn(List<Entry> mptcp, List<Entry> tcp, int port) {
        String p = Integer.toString(port);
        java.util.SortedSet<Integer> others = new java.util.TreeSet<>();
        for (Entry e : concat(mptcp, tcp)) {
            if (e.state().equals("ESTAB") && e.localPort().equals(p)) {
                others.add(Integer.parseInt(e.peerPort()));
            } else if (e.state().equals("ESTAB") && e.peerPort().equals(p)) {
                others.add(Integer.parseInt(e.localPort()));
            }
        }
        List<KernelView> views = new ArrayList<>();
        for (int other : others) {
            views.add(select(mptcp, tcp, port, other));
        }
        return views;
    }

    /** Whether a socket listens on {@code port} now (TCP or MPTCP, any address). */
    public static boolean listening(int port) {
        String p = Integer.toString(port);
        return concat(parse(ss("-HMnl")), parse(ss("-Htnl"))).stream()
                .anyMatch(e -> e.state().equals("LISTEN") && e.localPort().equals(p));
    }

    private static List<Entry> concat(List<Entry> a, List<Entry> b) {
        List<Entry> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The view of the connection on ports {@code portA}/{@code portB} in parsed tables. */
    static KernelView select(List<Entry> mptcp, List<Entry> tcp, int portA, int portB) {
        return new KernelView(connection(mptcp, portA, portB), connection(tcp, portA, portB));
    }

    /**
     * Both ends are MPTCP sockets and neither has fallen back to TCP: this is the kernel's own
     * answer to "does this connection use MPTCP".
     */
    public boolean isMptcp() {
        return mptcp.size() == 2 && !mptcp.get(0).localPort().equals(mptcp.get(1).localPort())
                && mptcp.stream().noneMatch(Entry::fallback);
    }

    /** No MPTCP socket, and both ends are TCP sockets that are not MPTCP subflows. */
    public boolean isPlainTcp() {
        return mptcp.isEmpty() && tcp.size() == 2
                && tcp.stream().noneMatch(Entry::mptcpSubflow);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ss -HMni (MPTCP sockets):\n");
        mptcp.forEach(e -> b.append("  ").append(e).append('\n'));
        b.append("ss -Htni (TCP sockets):\n");
        tcp.forEach(e -> b.append("  ").append(e).append('\n'));
        return b.toString();
    }

    /** Whether {@code ss} is installed and knows MPTCP ({@code -M}, iproute2 5.9+). */
    public static boolean ssWithMptcpAvailable() {
        try {
            ss("-HMn");
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * One socket as {@code ss} prints it: a line {@code STATE RECV-Q SEND-Q LOCAL PEER} and,
     * with {@code -i}, the indented details after it.
     */
    public record Entry(String state, String local, String peer, String details) {

        public String localPort() {
            return port(local);
        }

        public String peerPort() {
            return port(peer);
        }

        /** An MPTCP socket whose connection fell back to TCP ({@code ss -Mi}). */
        public boolean fallback() {
            return words().contains("fallback");
        }

        /** A TCP socket that is a subflow of an MPTCP connection ({@code ss -ti}). */
        public boolean mptcpSubflow() {
            return words().contains("tcp-ulp-mptcp");
        }

        private List<String> words() {
            return List.of(details.trim().split("\\s+"));
        }

        // IPv6 addresses contain colons too ("[::1]:80"); the port follows the last one.
        private static String port(String address) {
            return address.substring(address.lastIndexOf(':') + 1);
        }

        @Override
        public String toString() {
            return state + " " + local + " " + peer + (details.isBlank() ? "" : " | " + details);
        }
    }

    /** Parses {@code ss -H…} output (no header line); details lines start with whitespace. */
    public static List<Entry> parse(String out) {
        List<Entry> entries = new ArrayList<>();
        String[] head = null;
        StringBuilder details = new StringBuilder();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                details.append(line.trim()).append(' ');
                continue;
            }
            if (head != null) {
                entries.add(new Entry(head[0], head[3], head[4], details.toString().trim()));
            }
            head = line.trim().split("\\s+");
            if (head.length < 5) {
                throw new IllegalArgumentException("unexpected ss line: " + line);
            }
            details.setLength(0);
        }
        if (head != null) {
            entries.add(new Entry(head[0], head[3], head[4], details.toString().trim()));
        }
        return entries;
    }

    private static List<Entry> connection(List<Entry> all, int portA, int portB) {
        String a = Integer.toString(portA);
        String b = Integer.toString(portB);
        return all.stream()
                .filter(e -> e.state().equals("ESTAB"))
                .filter(e -> e.localPort().equals(a) && e.peerPort().equals(b)
                        || e.localPort().equals(b) && e.peerPort().equals(a))
                .toList();
    }

    private static String ss(String options) {
        Path out = null;
        try {
            out = Files.createTempFile("ss-", ".txt");
            // To a file, not a pipe: on a busy machine the output can exceed a pipe buffer.
            Process p = new ProcessBuilder("ss", options).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(SS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ss " + options + ": no exit within "
                        + SS_TIMEOUT);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("ss " + options + ": exit " + p.exitValue()
                        + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("ss " + options, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("ss " + options + ": interrupted", e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }
}
