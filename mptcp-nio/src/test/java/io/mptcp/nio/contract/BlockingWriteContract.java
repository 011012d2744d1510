package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;

import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * How much one write takes, as the JDK's: one write(2) or writev(2) per call, so a gathering
 * write takes at most {@code IOV_MAX} (1,024 on Linux) buffers, and a blocking write that the
 * kernel cuts short (the output shut down under it) returns the bytes written so far, or
 * throws {@link AsynchronousCloseException} when there were none.
 */
abstract class BlockingWriteContract extends UnixDomainChannelContract {

    private static final int BUFFERS = 2_000;

    private static ByteBuffer[] oneByteBuffers() {
        ByteBuffer[] buffers = new ByteBuffer[BUFFERS];
        for (int i = 0; i < BUFFERS; i++) {
            buffers[i] = (i % 2 == 0) ? ByteBuffer.allocate(1) : ByteBuffer.allocateDirect(1);
        }
        return buffers;
    }

    /** A gathering write of 2,000 one-byte buffers takes the first IOV_MAX of them. */
    private static void assertTakesIovMax(GatheringByteChannel ch, String kind)
            throws Exception {
        ByteBuffer[] buffers = oneByteBuffers();
        assertEquals(LinuxUapi.IOV_MAX, ch.write(buffers), kind + ": bytes written");
        for (int i = 0; i < BUFFERS; i++) {
            assertEquals(i < LinuxUapi.IOV_MAX ? 1 : 0, buffers[i].position(),
                    kind + ": position of buffer " + i);
        }
    }

    @Test
    void gatheringWriteTakesAtMostIovMaxBuffers() throws Exception {
        for (boolean blocking : new boolean[] {true, false}) {
            String mode = blocking ? "blocking " : "non-blocking ";
            Pair inet = connectedPair();
            inet.client().configureBlocking(blocking);
            assertTakesIovMax(inet.client(), mode + "INET socket");

            ServerSocketChannel server = listenUnix("server-" + blocking);
            SocketChannel unix = openUnixSocketChannel();
            unix.connect(server.getLocalAddress());
            track(server.accept());
            unix.configureBlocking(blocking);
            assertTakesIovMax(unix, mode + "UNIX socket");

            Pipe pipe = openPipe();
            pipe.sink().configureBlocking(blocking);
            assertTakesIovMax(pipe.sink(), mode + "pipe");

            DatagramChannel receiver = track(provider().openDatagramChannel());
            receiver.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
            DatagramChannel sender = track(provider().openDatagramChannel());
            sender.connect(receiver.getLocalAddress());
            sender.configureBlocking(blocking);
            assertTakesIovMax(sender, mode + "datagram");
            ByteBuffer datagram = ByteBuffer.allocate(BUFFERS);
            receiver.receive(datagram);
            assertEquals(LinuxUapi.IOV_MAX, datagram.position(), "one datagram of IOV_MAX bytes");
        }
    }

    /**
     * A blocking write of more than the connection can take blocks in the kernel with part of
     * it written; shutting the output down under it ends that write(2), and the write returns
     * what it wrote instead of trying again (which would fail with EPIPE).
     */
    @Test
    void shutdownOutputUnderABlockedWriteReturnsThePartialCount() throws Exception {
        Pair pair = connectedPair();
        SocketChannel ch = pair.client();
        ByteBuffer big = ByteBuffer.allocateDirect(64 << 20);
        Task<Integer> writer = start("writer", () -> ch.write(big));
        writer.awaitBlockedIn(ch, "write");
        ch.shutdownOutput();
        int written = writer.get(PROMPTLY);
        assertTrue(written > 0 && written < big.capacity(), "a partial count: " + written);
        assertEquals(written, big.position(), "the position moved by the count");
        assertTrue(ch.isOpen(), "shutdownOutput does not close the channel");
    }

    /** The same when nothing could be written: AsynchronousCloseException, the JDK's answer. */
    @Test
    void shutdownOutputUnderABlockedWriteThatWroteNothingIsAsynchronousClose()
            throws Exception {
        Pair pair = connectedPair();
        SocketChannel ch = pair.client();
        // Fixed small buffers: the kernel cannot grow them under the write (autotuning).
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        pair.accepted().setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        fillSendPath(ch);
        ByteBuffer one = ByteBuffer.allocate(1);
        Task<Integer> writer = start("writer", () -> ch.write(one));
        writer.awaitBlockedIn(ch, "write");
        ch.shutdownOutput();
        Throwable thrown = writer.failure(PROMPTLY);
        assertEquals(AsynchronousCloseException.class, thrown.getClass(), thrown.toString());
        assertEquals(0, one.position());
    }

    /** Writes without blocking until neither the local nor the peer's buffers take more. */
    private static void fillSendPath(SocketChannel ch) throws Exception {
        ch.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 16);
        for (int zeros = 0; zeros < 3; ) {
            if (ch.write(chunk.clear()) == 0) {
                zeros++;
                Thread.sleep(50);
            } else {
                zeros = 0;
            }
        }
        ch.configureBlocking(true);
    }
}
