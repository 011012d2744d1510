package io.mptcp.nio.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MptcpSocketChannel#runPathPolicy}: an application's own {@link PathPolicy} run by the
 * library on a real connection, in a namespace of its own with the userspace path manager
 * (loopback, a second address {@code 10.78.0.1} on {@code lo}). The observer of what the policy
 * did is {@code ss} of the namespace, besides the subflow list.
 */
@Timeout(60)
class CustomPathPolicyTest {
    private static final MptcpSelectorProvider PROVIDER = new MptcpSelectorProvider();

    private PmNamespace ns;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void namespace() throws Exception {
        ns = PmNamespace.create();
        ns.ip("addr", "add", "10.78.0.1/32", "dev", "lo");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private void pathManager(String type) throws IOException {
        if (java.nio.file.Files.exists(java.nio.file.Path.of(
                "/proc/sys/net/mptcp/path_manager"))) {
            ns.exec("sysctl", "-q", "-w", "net.mptcp.path_manager=" + type);
        } else {
            ns.exec("sysctl", "-q", "-w",
                    "net.mptcp.pm_type=" + (type.equals("userspace") ? 1 : 0));
        }
    }

    private record Conn(MptcpSocketChannel client, SocketChannel accepted,
            InetSocketAddress server) {
    }

    private Conn connect() throws Exception {
        ServerSocketChannel server = ns.call(() -> PROVIDER.openServerSocketChannel(
                StandardProtocolFamily.INET));
        open.add(server);
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        InetSocketAddress target = (InetSocketAddress) server.getLocalAddress();
        MptcpSocketChannel client = (MptcpSocketChannel) ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET));
        open.add(client);
        client.connect(target);
        SocketChannel accepted = server.accept();
        open.add(accepted);
        // One exchange each way: MPTCP is fully established, so joins are allowed.
        client.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        ByteBuffer in = ByteBuffer.allocate(4);
        while (in.hasRemaining()) {
            accepted.read(in);
        }
        accepted.write(in.flip());
        in.clear();
        while (in.hasRemaining()) {
            client.read(in);
        }
        return new Conn(client, accepted, target);
    }

    /** Opens one backup subflow from {@code from} at start; records what it was told. */
    private static final class OneBackup implements PathPolicy {
        private final InetAddress from;
        final List<MptcpEvent> events = new CopyOnWriteArrayList<>();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch established = new CountDownLatch(1);
        final CountDownLatch ticked = new CountDownLatch(3);
        volatile String thread;

        OneBackup(InetAddress from) {
            this.from = from;
        }

        @Override
        public void start(PathControl control) throws IOException {
            thread = Thread.currentThread().getName();
            control.openSubflow(SubflowRequest.builder().local(from)
                    .remote(control.remoteAddress()).backup(true).build());
            started.countDown();
        }

        @Override
        public void onEvent(MptcpEvent event, PathControl control) {
            events.add(event);
            if (event instanceof MptcpEvent.SubflowEstablished s
                    && s.local().getAddress().equals(from)) {
                established.countDown();
            }
        }

        @Override
        public void onTick(List<Subflow> subflows, PathControl control) {
            ticked.countDown();
        }

        @Override
        public Duration tickInterval() {
            return Duration.ofMillis(20);
        }
    }

    /** From the namespace's thread: the first path-manager session of a namespace is made there. */
    private void run(MptcpSocketChannel ch, PathPolicy policy) throws Exception {
        ns.call(() -> {
            ch.runPathPolicy(policy);
            return null;
        });
    }

    @Test
    void theLibraryRunsTheApplicationsPolicyOnTheConnection() throws Exception {
        pathManager("userspace");
        Conn c = connect();
        InetAddress second = InetAddress.getByName("10.78.0.1");
        OneBackup policy = new OneBackup(second);
        run(c.client(), policy);

        assertTrue(policy.started.await(10, TimeUnit.SECONDS), "start was called");
        assertTrue(policy.established.await(10, TimeUnit.SECONDS),
                "the policy saw its subflow established: " + policy.events);
        assertTrue(policy.ticked.await(10, TimeUnit.SECONDS), "onTick was called");
        assertEquals("mptcp-nio-subflow-events", policy.thread.replaceAll("-\\d+$", ""),
                "callbacks come from the namespace's path-manager thread");

        List<Subflow> listed = c.client().getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
        assertTrue(listed.stream().anyMatch(s -> s.local().getAddress().equals(second)),
                "the new subflow is listed: " + listed);
        String ss = ns.exec("ss", "-tnH", "state", "established");
        assertTrue(ss.contains("10.78.0.1:"), "ss shows the new subflow:\n" + ss);
    }

    @Test
    void onePolicyPerConnection() throws Exception {
        pathManager("userspace");
        Conn c = connect();
        run(c.client(), new OneBackup(InetAddress.getByName("10.78.0.1")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> run(c.client(), new OneBackup(InetAddress.getLoopbackAddress())));
        assertTrue(e.getMessage().startsWith("runPathPolicy: a path policy already runs"),
                e.getMessage());
    }

    @Test
    void aPolicyNeedsAConnection() throws Exception {
        MptcpSocketChannel ch = (MptcpSocketChannel) ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET));
        open.add(ch);
        assertThrows(NotYetConnectedException.class,
                () -> ch.runPathPolicy(new OneBackup(InetAddress.getLoopbackAddress())));
        assertThrows(NullPointerException.class, () -> ch.runPathPolicy(null));
    }
}
