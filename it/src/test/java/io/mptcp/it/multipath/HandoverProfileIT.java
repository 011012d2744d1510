package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.ProfiledConnection;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.PathProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The HANDOVER path profile on the two-path test bed (client namespace with the userspace path
 * manager, the namespaces' default {@code tcp_retries2}): the client connects with
 * {@code PATH_PROFILE} HANDOVER, which opens a backup subflow over link 2 by itself; the
 * active link 1 goes down in the middle of a transfer in both directions. Every byte arrives
 * (SHA-256 both ways), the dead subflow leaves the client's {@code MPTCP_SUBFLOWS}, the
 * link-2 subflow is listed as no longer backup, and link 2's interface counter carries what
 * the client still had to send. The server's kernel counts the RM_ADDR the profile sends for
 * link 1's address ({@code MPTcpExtRmAddr}) and drops its end of the dead subflow, and a JFR
 * recording in this JVM holds the handover, the commands in their order and the statistics.
 * The longest stall (as {@link LinkFailureIT} measures it) and
 * the time until the dead subflow left the list are printed, not asserted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HandoverProfileIT {

    private static final int RATE_MBIT = 50;
    private static final long BYTES = 40L << 20;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @Test
    void theBackupTakesOverWhenTheActiveLinkGoesDown() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start(PathManager.CLIENT_USERSPACE)) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            String retries = bed.client().sysctl("net.ipv4.tcp_retries2");
            Link one = bed.link(1);
            Link two = bed.link(2);
            ProfiledConnection connection =
                    ProfiledConnection.open(bed, provider, PathProfile.HANDOVER);
            ServerSocketChannel listener = connection.listener();
            SocketChannel client = connection.client();
            Recording jfr = new Recording();
            for (String e : List.of("Handover", "PathDecision", "SubflowEstablished",
                    "SubflowClosed", "SubflowStatistics")) {
                jfr.enable("io.mptcp." + e);
            }
            jfr.start();
            try (jfr; listener; client; SocketChannel server = listener.accept()) {
                assertEquals(PathProfile.HANDOVER,
                        client.getOption(MptcpSocketOptions.PATH_PROFILE));
                AtomicLong serverGot = new AtomicLong();
                AtomicLong clientGot = new AtomicLong();
                Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(client, BYTES, 21));
                Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(server, BYTES, 22));
                Future<Bulk.Received> atServer =
                        pool.submit(() -> Bulk.receive(server, BYTES, serverGot));
                Future<Bulk.Received> atClient =
                        pool.submit(() -> Bulk.receive(client, BYTES, clientGot));

                // The flag as MPTCP_SUBFLOWS reports it is printed, not awaited: what shows
                // that link 2 is a backup is that it carries no data before the failure.
                List<Subflow> before = Subflows.await(client, l -> l.size() == 2
                        && Subflows.usesLocal(l, two.clientAddress()),
                        DEADLINE, "the link-2 subflow opened by HANDOVER", bed::describeMptcp);
                NetNamespace.InterfaceCounters link2Start = bed.counters(two);
                awaitBytes(serverGot, BYTES / 4);

                NetNamespace.InterfaceCounters link2Before = bed.counters(two);
                long backupSent = link2Before.since(link2Start).txBytes();
                long sentBefore = serverGot.get();
                long leftToSend = BYTES - serverGot.get();
                long rmAddrBefore = mib(bed.server(), "MPTcpExtRmAddr");
                long failedAt = System.nanoTime();
                bed.setLinkUp(one, false);
                List<Subflow> left = Subflows.await(client,
                        l -> !Subflows.usesLocal(l, one.clientAddress()), DEADLINE,
                        "drop of the link-1 subflow (client)", bed::describeMptcp);
                long dropped = System.nanoTime();
                List<Subflow> promoted = Subflows.await(client,
                        l -> l.size() == 1 && !backup(l, two.clientAddress()), DEADLINE,
                        "the link-2 subflow no longer backup", bed::describeMptcp);

                Bulk.Received gotAtServer = atServer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                Bulk.Received gotAtClient = atClient.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                NetNamespace.InterfaceCounters link2 = bed.counters(two).since(link2Before);
                List<Subflow> serverList = Subflows.of(server);
                long rmAddr = mib(bed.server(), "MPTcpExtRmAddr") - rmAddrBefore;
                jfr.stop();
                List<RecordedEvent> events = recorded(jfr);

                assertEquals(BYTES, gotAtServer.bytes());
                assertEquals(BYTES, gotAtClient.bytes());
                assertEquals(up.get().sha256(), gotAtServer.sha256(), "client to server");
                assertEquals(down.get().sha256(), gotAtClient.sha256(), "server to client");
                assertEquals(1, promoted.size(), Subflows.describe(promoted));
                assertEquals(two.clientAddress(), promoted.get(0).local().getAddress());
                assertFalse(Subflows.usesLocal(left, one.clientAddress()));
                assertTrue(backupSent < sentBefore / 20, "the backup link 2 sent " + backupSent
                        + " B while " + sentBefore + " B arrived before the failure");
                assertTrue(link2.txBytes() >= leftToSend * 9 / 10, "link 2 sent "
                        + link2.txBytes() + " B after the failure, " + leftToSend
                        + " B were left to send");

                // The RM_ADDR as the server's kernel counted it, and its effect: the server
                // dropped its end of the dead subflow instead of retransmitting into it.
                assertTrue(rmAddr >= 1, "the server's MPTcpExtRmAddr moved by " + rmAddr);
                assertFalse(serverList.stream().anyMatch(sf -> sf.remote().getAddress()
                        .equals(one.clientAddress())), Subflows.describe(serverList));
                String token = client.getOption(MptcpSocketOptions.MPTCP_TOKEN).orElseThrow()
                        .toString();
                checkRecording(events, token, one, two);
                System.out.printf("[HandoverProfileIT] tcp_retries2=%s; link 1 down after %d"
                                + " MiB: longest stall %d ms client->server, %d ms"
                                + " server->client; dead subflow gone from the client's list"
                                + " after %d ms; transfer ended %d ms after the failure; link 2"
                                + " sent %d B for %d B left (%d B while backup); before: %s;"
                                + " server list at the end: %s%n", retries.trim(),
                        BYTES / 4 >> 20,
                        millis(gotAtServer.longestGapAfterNanos(failedAt)),
                        millis(gotAtClient.longestGapAfterNanos(failedAt)),
                        millis(dropped - failedAt),
                        millis(Math.max(gotAtServer.endNanos(), gotAtClient.endNanos())
                                - failedAt), link2.txBytes(), leftToSend, backupSent,
                        flags(before), Subflows.describe(serverList));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInKernelPmConnectionRunsWithoutTheProfileAndSaysWhy() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        Logger log = Logger.getLogger("io.mptcp.nio.pm.PathProfile");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            ProfiledConnection connection =
                    ProfiledConnection.open(bed, provider, PathProfile.HANDOVER);
            ServerSocketChannel listener = connection.listener();
            SocketChannel client = connection.client();
            try (listener; client; SocketChannel server = listener.accept()) {
                Future<Bulk.Received> atServer =
                        pool.submit(() -> Bulk.receive(server, 4L << 20));
                Bulk.Sent sent = Bulk.send(client, 4L << 20, 23);
                assertEquals(sent.sha256(), atServer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)
                        .sha256());
                // The in-kernel PM's own second subflow (signal mode) still comes.
                Subflows.await(client, l -> l.size() == 2, DEADLINE,
                        "the in-kernel PM's two subflows", bed::describeMptcp);
                // The refusal comes from the policy's first commands, on the session thread.
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (records.stream().noneMatch(r -> r.getLevel() == Level.WARNING)
                        && System.nanoTime() - deadline < 0) {
                    Thread.sleep(10);
                }
                List<String> warnings = records.stream()
                        .filter(r -> r.getLevel() == Level.WARNING)
                        .map(LogRecord::getMessage).toList();
                assertEquals(1, warnings.size(), warnings.toString());
                String why = warnings.get(0);
                assertTrue(why.startsWith("PATH_PROFILE HANDOVER not started"), why);
                assertTrue(why.contains("net.mptcp.path_manager") && why.contains("userspace")
                        && why.contains("(now: kernel)"), why);
                System.out.println("[HandoverProfileIT] in-kernel PM: " + why);
            }
        } finally {
            log.removeHandler(handler);
            pool.shutdownNow();
        }
    }

    /**
     * The JFR events of the connection: the backup's establishment, the handover from link 1
     * to link 2 for the link-down reason, the commands in their order (promote, RM_ADDR,
     * abort), the dead subflow's close, and the periodic statistics of both subflows.
     */
    private static void checkRecording(List<RecordedEvent> all, String token, Link one,
            Link two) {
        List<RecordedEvent> events = all.stream()
                .filter(e -> token.equals(e.getString("token"))).toList();
        String link1 = one.clientAddress().getHostAddress() + ":";
        String link2 = two.clientAddress().getHostAddress() + ":";
        assertTrue(named(events, "SubflowEstablished").stream()
                .anyMatch(e -> e.getString("local").startsWith(link2)), "established");
        List<RecordedEvent> handovers = named(events, "Handover");
        assertEquals(1, handovers.size(), handovers::toString);
        RecordedEvent h = handovers.get(0);
        assertTrue(h.getString("from").startsWith(link1), h::toString);
        assertTrue(h.getString("to").startsWith(link2), h::toString);
        assertTrue(h.getString("reason").endsWith(" down"), h::toString);
        assertEquals("HANDOVER", h.getString("profile"));
        List<String> afterFailure = named(events, "PathDecision").stream()
                .filter(e -> e.getString("reason").endsWith(" down"))
                .map(e -> e.getString("action") + " " + e.getString("local").split(":")[0]
                        + (e.getString("error").isEmpty() ? "" : " " + e.getString("error")))
                .toList();
        String a1 = one.clientAddress().getHostAddress();
        String a2 = two.clientAddress().getHostAddress();
        assertEquals(List.of("active " + a2, "remove address " + a1, "abort " + a1),
                afterFailure);
        assertTrue(named(events, "SubflowClosed").stream()
                .anyMatch(e -> e.getString("local").startsWith(link1)), "closed");
        List<RecordedEvent> stats = named(events, "SubflowStatistics");
        assertTrue(stats.stream().anyMatch(e -> e.getString("local").startsWith(link1)
                && e.getLong("bytesAcked") > 0), "statistics of link 1");
        assertTrue(stats.stream().anyMatch(e -> e.getString("local").startsWith(link2)),
                "statistics of link 2");
        System.out.printf("[HandoverProfileIT] JFR: %d events of the connection, handover %s ->"
                + " %s (%s), decisions after the failure %s%n", events.size(),
                h.getString("from"), h.getString("to"), h.getString("reason"), afterFailure);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals("io.mptcp." + name)).toList();
    }

    /** A counter of the namespace's /proc/net/netstat, e.g. MPTcpExtRmAddr. */
    static long mib(NetNamespace ns, String name) {
        String[] lines = ns.exec("cat", "/proc/net/netstat").split("\n");
        for (int i = 0; i + 1 < lines.length; i += 2) {
            String[] keys = lines[i].trim().split("\\s+");
            String[] values = lines[i + 1].trim().split("\\s+");
            String prefix = keys[0].replace(":", "");
            for (int k = 1; k < keys.length && k < values.length; k++) {
                if ((prefix + keys[k]).equals(name)) {
                    return Long.parseLong(values[k]);
                }
            }
        }
        throw new IllegalStateException(name + " is not in " + ns + "'s /proc/net/netstat");
    }

    static List<RecordedEvent> recorded(Recording r) throws IOException {
        Path file = Files.createTempFile("handover", ".jfr");
        try {
            r.dump(file);
            return RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String flags(List<Subflow> subflows) {
        StringBuilder b = new StringBuilder();
        for (Subflow s : subflows) {
            b.append(s.local()).append(" backup=").append(s.localBackup().map(String::valueOf)
                    .orElse("?")).append("; ");
        }
        return b.toString();
    }

    private static boolean backup(List<Subflow> subflows, InetAddress local) {
        return subflows.stream().anyMatch(s -> s.local().getAddress().equals(local)
                && s.localBackup().orElse(false));
    }

    private static void awaitBytes(AtomicLong counter, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (counter.get() < bytes) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + counter.get() + " of " + bytes
                        + " bytes arrived within " + DEADLINE);
            }
            Thread.sleep(5);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
