package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.randomBytes;
import static io.mptcp.nio.contract.ContractSupport.readFully;
import static io.mptcp.nio.contract.ContractSupport.writeFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.mptcp.nio.contract.ContractSupport.BufferKind;
import io.mptcp.nio.contract.ContractSupport.PatternSource;
import io.mptcp.nio.contract.ContractSupport.StreamDigest;
import io.mptcp.nio.contract.ContractSupport.Summary;
import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * Case 3: bulk transfers in both directions at once, checked with CRC32 and SHA-256 at both
 * ends; heap, direct, sliced and read-only buffers; odd buffer sizes; scattering and gathering
 * with sub-ranges, empty buffers and more buffers than {@code IOV_MAX} (1024) in one call.
 */
abstract class TransferContract extends ChannelContract {

    private static final long MIB = 1 << 20;
    private static final long LARGE = 64 * MIB;
    private static final Duration TRANSFER_DEADLINE = Duration.ofSeconds(100);

    /** More than IOV_MAX (1024) buffers, so that one call needs several writev/readv calls. */
    private static final int GATHER_BUFFERS = 1500;
    private static final int SCATTER_BUFFERS = 1100;

    /** Sends one direction of a transfer and returns what it sent. */
    @FunctionalInterface
    private interface Sender {
        Summary send(SocketChannel ch, long seed) throws IOException;
    }

    /** Receives one direction until end of stream and returns what it received. */
    @FunctionalInterface
    private interface Receiver {
        Summary receive(SocketChannel ch) throws IOException;
    }

    static Stream<Arguments> bufferKindPairs() {
        return Stream.of(
                Arguments.of(BufferKind.HEAP, BufferKind.HEAP),
                Arguments.of(BufferKind.DIRECT, BufferKind.DIRECT),
                Arguments.of(BufferKind.HEAP_SLICED, BufferKind.DIRECT_SLICED),
                Arguments.of(BufferKind.DIRECT_SLICED, BufferKind.HEAP_SLICED),
                Arguments.of(BufferKind.HEAP_READ_ONLY, BufferKind.DIRECT));
    }

    @ParameterizedTest(name = "[{index}] write {0}, read {1}")
    @MethodSource("bufferKindPairs")
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sixtyFourMebibytesEachWayConcurrently(BufferKind writeKind, BufferKind readKind)
            throws Exception {
        exchange(connectedPair(),
                (ch, seed) -> ContractSupport.send(ch, LARGE, 131_075, writeKind, seed),
                ch -> ContractSupport.receive(ch, 65_537, readKind));
    }

    /**
     * One-byte and seven-byte buffers move little data (each call is a syscall); 65537 moves the
     * full 64 MiB.
     */
    @ParameterizedTest(name = "[{index}] {0}-byte {2} buffers, {1} bytes")
    @CsvSource({
        "1, 65536, HEAP", "1, 65536, DIRECT",
        "7, 1048576, HEAP", "7, 1048576, DIRECT",
        "65537, 67108864, HEAP", "65537, 67108864, DIRECT",
    })
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oddBufferSizesEachWayConcurrently(int size, long total, BufferKind kind) throws Exception {
        exchange(connectedPair(),
                (ch, seed) -> ContractSupport.send(ch, total, size, kind, seed),
                ch -> ContractSupport.receive(ch, size, kind));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = BufferKind.class, names = {"HEAP", "DIRECT", "HEAP_READ_ONLY"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sixtyFourMebibytesEachWayByGatheringAndScattering(BufferKind kind) throws Exception {
        BufferKind readKind = kind.canBeReadInto() ? kind : BufferKind.HEAP_SLICED;
        exchange(connectedPair(),
                (ch, seed) -> sendGathering(ch, LARGE, seed, kind),
                ch -> receiveScattering(ch, readKind));
    }

    /**
     * Both directions at once: four threads, so that neither side can finish writing before the
     * other reads. Each sender shuts its output down after the last byte; each receiver reads to
     * end of stream. If any thread fails, the channels are closed so that the others return.
     */
    private void exchange(Pair pair, Sender sender, Receiver receiver) throws Exception {
        SocketChannel client = pair.client();
        SocketChannel accepted = pair.accepted();
        List<Task<Summary>> tasks = List.of(
                start("client-send", () -> sendThenShutdown(sender, client, 0xC1)),
                start("server-receive", () -> receiver.receive(accepted)),
                start("server-send", () -> sendThenShutdown(sender, accepted, 0x5E)),
                start("client-receive", () -> receiver.receive(client)));
        Summary[] summaries = new Summary[tasks.size()];
        try {
            for (int i = 0; i < summaries.length; i++) {
                summaries[i] = tasks.get(i).get(TRANSFER_DEADLINE);
            }
        } catch (Throwable t) {
            client.close();
            accepted.close();
            throw t;
        }
        assertTrue(summaries[0].bytes() > 0, "something was sent");
        assertEquals(summaries[0], summaries[1], "client to server: sent vs received");
        assertEquals(summaries[2], summaries[3], "server to client: sent vs received");
    }

    private static Summary sendThenShutdown(Sender sender, SocketChannel ch, long seed)
            throws IOException {
        Summary sent = sender.send(ch, seed);
        ch.shutdownOutput();
        return sent;
    }

    /**
     * Gathering writes over {@value #GATHER_BUFFERS} buffers of 0 to 127 bytes (some 16 KiB),
     * each round over a different sub-range. Buffers outside the sub-range hold a sentinel that
     * must never be sent; each call must consume the range in order.
     */
    private static Summary sendGathering(SocketChannel ch, long total, long seed, BufferKind kind)
            throws IOException {
        ByteBuffer[] buffers = allocateVaried(GATHER_BUFFERS, kind, seed);
        PatternSource source = new PatternSource(seed);
        StreamDigest digest = new StreamDigest();
        long sent = 0;
        for (int round = 0; sent < total; round++) {
            int offset = round % 5;
            int length = buffers.length - offset - round % 3;
            ByteBuffer[] views = new ByteBuffer[buffers.length];
            for (int i = 0; i < buffers.length; i++) {
                ByteBuffer b = buffers[i].clear();
                if (i >= offset && i < offset + length) {
                    int n = (int) Math.min(b.capacity(), total - sent);
                    source.fill(b, n);
                    sent += n;
                    b.flip();
                    digest.update(b, 0, n);
                } else {
                    while (b.hasRemaining()) {
                        b.put((byte) 0xEE);
                    }
                    b.flip();
                }
                views[i] = kind.forWrite(b);
            }
            while (remaining(views, offset, length) > 0) {
                int[] before = positions(views);
                long n = ch.write(views, offset, length);
                assertConsumedInOrder(views, offset, length, before, n);
            }
        }
        return digest.summary();
    }

    /**
     * Scattering reads into {@value #SCATTER_BUFFERS} buffers of 0 to 127 bytes (some 8 KiB),
     * alternating {@code read(ByteBuffer[])} and {@code read(ByteBuffer[], offset, length)};
     * each call must fill the buffers in order.
     */
    private static Summary receiveScattering(SocketChannel ch, BufferKind kind)
            throws IOException {
        ByteBuffer[] buffers = allocateVaried(SCATTER_BUFFERS, kind, 42);
        StreamDigest digest = new StreamDigest();
        for (int round = 0; ; round++) {
            int offset = round % 2 == 0 ? 0 : round % 7;
            int length = buffers.length - offset - (round % 2 == 0 ? 0 : round % 4);
            for (ByteBuffer b : buffers) {
                b.clear();
            }
            int[] before = positions(buffers);
            long n = offset == 0 && length == buffers.length
                    ? ch.read(buffers)
                    : ch.read(buffers, offset, length);
            if (n == -1) {
                assertConsumedInOrder(buffers, offset, length, before, 0);
                return digest.summary();
            }
            assertConsumedInOrder(buffers, offset, length, before, n);
            for (int i = offset; i < offset + length; i++) {
                digest.update(buffers[i], 0, buffers[i].position());
            }
        }
    }

    /**
     * Writable buffers of seeded sizes, 0 to 127 bytes and every 100th 16 KiB (a read-only kind
     * gets heap buffers, made read-only at write time).
     */
    private static ByteBuffer[] allocateVaried(int count, BufferKind kind, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferKind writable = kind.canBeReadInto() ? kind : BufferKind.HEAP;
        ByteBuffer[] buffers = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            int size = i % 100 == 99 ? 16_384 : random.nextInt(128);
            buffers[i] = writable.allocate(size);
        }
        return buffers;
    }

    private static long remaining(ByteBuffer[] buffers, int offset, int length) {
        long sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += buffers[i].remaining();
        }
        return sum;
    }

    private static int[] positions(ByteBuffer[] buffers) {
        int[] positions = new int[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            positions[i] = buffers[i].position();
        }
        return positions;
    }

    /**
     * A scattering read or gathering write of {@code n} bytes over {@code [offset,
     * offset + length)} must advance the buffers in order: each one filled (or drained) before
     * the next is touched, none outside the range touched, and the advances summing to
     * {@code n}.
     */
    private static void assertConsumedInOrder(ByteBuffer[] buffers, int offset, int length,
            int[] before, long n) {
        assertTrue(n >= 0, "count " + n);
        long left = n;
        for (int i = 0; i < buffers.length; i++) {
            int advanced = buffers[i].position() - before[i];
            if (i < offset || i >= offset + length) {
                assertEquals(0, advanced, "buffer " + i + " is outside [" + offset + ", "
                        + (offset + length) + ") and must not be touched");
                continue;
            }
            int expected = (int) Math.min(buffers[i].limit() - before[i], left);
            assertEquals(expected, advanced, "buffer " + i + " of a " + n + "-byte transfer");
            left -= expected;
        }
        assertEquals(0, left, "the call returned more than the buffers moved");
    }

    @Test
    void gatheringWriteHonoursOffsetLengthAndEmptyBuffers() throws Exception {
        Pair pair = connectedPair();
        byte[] a = randomBytes(20, 100);
        byte[] b = randomBytes(21, 1000);
        byte[] c = randomBytes(22, 7);
        ByteBuffer outside = ByteBuffer.wrap(randomBytes(23, 10));
        ByteBuffer drained = ByteBuffer.allocate(5).position(5);
        ByteBuffer[] buffers = {
            outside, ByteBuffer.allocate(0), ByteBuffer.wrap(a), drained,
            ByteBuffer.allocateDirect(b.length).put(b).flip(),
            ByteBuffer.wrap(c).asReadOnlyBuffer(),
            ByteBuffer.wrap(randomBytes(24, 10)), ByteBuffer.wrap(randomBytes(25, 10)),
        };
        int[] before = positions(buffers);

        long n = pair.client().write(buffers, 1, 5);
        assertEquals(a.length + b.length + c.length, n, "a small blocking write sends it all");
        assertConsumedInOrder(buffers, 1, 5, before, n);

        byte[] expected = new byte[(int) n];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        System.arraycopy(c, 0, expected, a.length + b.length, c.length);
        assertArrayEquals(expected, readFully(pair.accepted(), expected.length));

        assertEquals(0, pair.client().write(buffers, 8, 0), "an empty range at the end");
        assertEquals(0, pair.client().write(buffers, 1, 5), "all drained: writes nothing");
        assertThrows(IndexOutOfBoundsException.class, () -> pair.client().write(buffers, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> pair.client().write(buffers, 0, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> pair.client().write(buffers, 8, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> pair.client().read(buffers, 7, 2));
        assertEquals(10, outside.remaining(), "never written");
    }

    @Test
    void scatteringReadFillsBuffersInOrder() throws Exception {
        Pair pair = connectedPair();
        byte[] data = randomBytes(30, 1500);
        writeFully(pair.accepted(), data);
        pair.accepted().shutdownOutput();

        ByteBuffer untouched = ByteBuffer.allocate(10);
        ByteBuffer halfFull = ByteBuffer.allocate(100).position(50);
        ByteBuffer large = ByteBuffer.allocateDirect(2000);
        ByteBuffer[] buffers = {untouched, ByteBuffer.allocate(0), halfFull, large,
            ByteBuffer.allocate(10)};
        long total = 0;
        while (true) {
            int[] before = positions(buffers);
            long n = pair.client().read(buffers, 1, 3);
            if (n == -1) {
                break;
            }
            assertConsumedInOrder(buffers, 1, 3, before, n);
            total += n;
        }
        assertEquals(data.length, total);
        assertEquals(0, untouched.position());
        assertEquals(0, buffers[4].position());
        assertArrayEquals(Arrays.copyOfRange(data, 0, 50),
                Arrays.copyOfRange(halfFull.array(), 50, 100));
        byte[] rest = new byte[data.length - 50];
        large.flip().get(rest);
        assertArrayEquals(Arrays.copyOfRange(data, 50, data.length), rest);
    }

    /** A single gathering/scattering call over 3000 buffers (IOV_MAX is 1024). */
    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = BufferKind.class, names = {"HEAP", "DIRECT"})
    void moreThanIovMaxBuffersInOneCall(BufferKind kind) throws Exception {
        Pair pair = connectedPair();
        ByteBuffer[] out = new ByteBuffer[3000];
        ByteBuffer[] in = new ByteBuffer[3000];
        SplittableRandom random = new SplittableRandom(31);
        PatternSource source = new PatternSource(32);
        StreamDigest sent = new StreamDigest();
        for (int i = 0; i < out.length; i++) {
            int size = random.nextInt(64);
            out[i] = kind.allocate(size);
            source.fill(out[i], size);
            out[i].flip();
            sent.update(out[i], 0, size);
            in[i] = kind.allocate(size);
        }
        Task<Long> writer = start("gathering-writer", () -> {
            long total = 0;
            while (remaining(out, 0, out.length) > 0) {
                int[] before = positions(out);
                long n = pair.client().write(out);
                assertTrue(n > 0, "a blocking gathering write makes progress");
                assertConsumedInOrder(out, 0, out.length, before, n);
                total += n;
            }
            return total;
        });
        StreamDigest received = new StreamDigest();
        long total = 0;
        while (remaining(in, 0, in.length) > 0) {
            int[] before = positions(in);
            long n = pair.accepted().read(in);
            assertTrue(n > 0, "a blocking scattering read returns data");
            assertConsumedInOrder(in, 0, in.length, before, n);
            total += n;
        }
        for (ByteBuffer b : in) {
            received.update(b, 0, b.position());
        }
        assertEquals(sent.summary().bytes(), writer.get(ContractSupport.PROMPTLY));
        assertEquals(total, sent.summary().bytes());
        assertEquals(sent.summary(), received.summary());
    }

    @Test
    void readIntoAFullBufferReturnsZeroEvenAtEndOfStream() throws Exception {
        Pair pair = connectedPair();
        pair.accepted().shutdownOutput();
        assertEquals(0, pair.client().read(ByteBuffer.allocate(0)));
        assertEquals(0, pair.client().read(ByteBuffer.allocate(4).position(4)));
        assertEquals(0, pair.client().read(
                new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocateDirect(0)}));
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(1)), "with room: end of stream");
        assertEquals(0, pair.client().write(ByteBuffer.allocate(0)), "empty write");
        assertEquals(0, pair.client().write(new ByteBuffer[] {ByteBuffer.allocate(0)}));
    }

    @Test
    void readIntoAReadOnlyBufferIsRefused() throws Exception {
        Pair pair = connectedPair();
        writeFully(pair.accepted(), new byte[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class,
                () -> pair.client().read(ByteBuffer.allocate(10).asReadOnlyBuffer()));
        assertThrows(IllegalArgumentException.class, () -> pair.client().read(new ByteBuffer[] {
            ByteBuffer.allocate(1), ByteBuffer.allocate(10).asReadOnlyBuffer()}));
        assertArrayEquals(new byte[] {1, 2, 3}, readFully(pair.client(), 3),
                "the refused reads consumed nothing");
    }
}
