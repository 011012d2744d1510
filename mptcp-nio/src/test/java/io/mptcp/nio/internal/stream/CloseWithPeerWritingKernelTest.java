package io.mptcp.nio.internal.stream;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Closing a connection the peer is still writing to, over MPTCP and TCP on the real kernel
 * (issue 14 item 16, docs/kernel-traps.md): the peer's writer must fail, as TCP makes it fail,
 * and never hang; and a program that reads what it is sent must see every byte and a clean
 * end of stream, as before.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CloseWithPeerWritingKernelTest {
    // Enough trials that a close path which leaves a quarter of the writers hanging (what
    // Linux 6.18 does to MPTCP without the orphan watch) fails here all but never.
    private static final int TRIALS = 20;
    // A writer that neither progresses nor fails for this long hangs.
    private static final long STUCK_MILLIS = 5_000;
    private static final int CHUNK = 64 << 10;

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final Random random = new Random(16);

    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {true, false})
    void aWriterToAChannelClosedUnderABlockedReaderFails(boolean mptcp) throws Exception {
        for (int trial = 1; trial <= TRIALS; trial++) {
            try (Pair p = Pair.open(provider, mptcp)) {
                CompletableFuture<IOException> writer = CompletableFuture.supplyAsync(
                        () -> writeUntilFailure(p.client));
                CompletableFuture<Void> reader = CompletableFuture.runAsync(
                        () -> readUntilClosed(p.server));
                Thread.sleep(random.nextInt(20));
                p.server.close();
                try {
                    IOException failure = writer.get(STUCK_MILLIS, TimeUnit.MILLISECONDS);
                    assertInstanceOf(IOException.class, failure);
                } catch (TimeoutException e) {
                    fail("trial " + trial + " (mptcp=" + mptcp + "): the peer's writer still"
                            + " neither fails nor progresses " + STUCK_MILLIS + " ms after the"
                            + " close; TCP resets such a connection");
                }
                reader.get(STUCK_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {true, false})
    void aRequestReadAndAnsweredBeforeTheCloseArrivesWholeWithACleanEnd(boolean mptcp)
            throws Exception {
        byte[] reply = new byte[256 << 10];
        random.nextBytes(reply);
        for (int trial = 1; trial <= TRIALS; trial++) {
            try (Pair p = Pair.open(provider, mptcp)) {
                CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                    try {
                        readExactly(p.server, CHUNK);
                        ByteBuffer out = ByteBuffer.wrap(reply);
                        while (out.hasRemaining()) {
                            p.server.write(out);
                        }
                        p.server.close();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                ByteBuffer request = ByteBuffer.allocate(CHUNK);
                while (request.hasRemaining()) {
                    p.client.write(request);
                }
                ByteBuffer got = ByteBuffer.allocate(reply.length + 1);
                int n;
                while ((n = p.client.read(got)) >= 0) {
                    if (n == 0 && !got.hasRemaining()) {
                        fail("more bytes than the reply");
                    }
                }
                server.get(STUCK_MILLIS, TimeUnit.MILLISECONDS);
                assertEquals(ByteBuffer.wrap(reply), got.flip(), "trial " + trial);
            }
        }
    }

    private static IOException writeUntilFailure(SocketChannel ch) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        try {
            while (true) {
                ch.write(chunk.clear());
            }
        } catch (IOException e) {
            return e;
        }
    }

    private static void readUntilClosed(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        try {
            while (ch.read(buf.clear()) >= 0) {
                // keeps reading what arrives, as a program's reader thread does
            }
        } catch (IOException e) {
            // the close under this read
        }
    }

    private static void readExactly(SocketChannel ch, int count) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(count);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException("end of stream after " + buf.position() + " bytes");
            }
        }
    }

    /** A connected pair over loopback, MPTCP or TCP on both ends. */
    private record Pair(ServerSocketChannel listener, SocketChannel client, SocketChannel server)
            implements AutoCloseable {

        static Pair open(MptcpSelectorProvider provider, boolean mptcp) throws IOException {
            ServerSocketChannel listener = provider.openServerSocketChannel()
                    .setOption(MptcpSocketOptions.MPTCP_ENABLED, mptcp)
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = provider.openSocketChannel()
                    .setOption(MptcpSocketOptions.MPTCP_ENABLED, mptcp);
            client.connect(listener.getLocalAddress());
            SocketChannel server = listener.accept();
            assertEquals(mptcp, server.getOption(MptcpSocketOptions.MPTCP_ENABLED),
                    "MPTCP in use at the accepting end");
            return new Pair(listener, client, server);
        }

        @Override
        public void close() throws IOException {
            try (listener; client; server) {
                // closes all three
            }
        }
    }
}
