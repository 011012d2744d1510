package io.mptcp.it.bench;

import io.mptcp.it.support.KernelView;
import io.mptcp.nio.MptcpSocketChannel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * One run of a file-transfer case for {@link TransferBench}, in a child JVM whose provider the
 * driver chose; prints {@code PROVIDER <class>} and one {@code RESULT key=value…} line.
 *
 * <p>Over one loopback connection of this JVM's provider, {@code --rounds} times the whole
 * {@code --file} (after one unmeasured round):
 * <ul>
 *   <li>{@code transferTo}: {@code FileChannel.transferTo(position, count, socketChannel)}
 *       until the file is sent; a thread reads the other end into a direct buffer;</li>
 *   <li>{@code sendfile}: {@link MptcpSocketChannel#transferFrom(Path, long, long)} (our
 *       provider only);</li>
 *   <li>{@code mapped}: 8 MiB {@code FileChannel.map} buffers written to the channel, which is
 *       what {@code transferTo} would do for ours on JDK 21+ if it implemented the JDK's
 *       internal {@code SelChImpl};</li>
 *   <li>{@code transferFrom}: the other direction, {@code FileChannel.transferFrom
 *       (socketChannel, position, count)} into {@code --out} (rewritten in place each round)
 *       while a thread writes the bytes from a direct buffer.</li>
 * </ul>
 * {@code --verify} checks a CRC of what arrived against the file; {@code --expect tcp|mptcp}
 * asks the kernel what the connection is, so MPTCP is never compared with TCP by mistake.
 */
public final class TransferBenchMain {
    private static final int CHUNK = 1 << 20;
    private static final long MAPPED = 8L << 20;

    private TransferBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String method = null;
        Path file = null;
        Path out = null;
        int rounds = 3;
        boolean verify = false;
        String expect = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--method" -> method = args[++i];
                case "--file" -> file = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--verify" -> verify = true;
                case "--expect" -> expect = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (method == null || file == null || expect == null) {
            throw new IllegalArgumentException("usage: --method transferTo|sendfile|transferFrom"
                    + " --file F [--out F] --expect tcp|mptcp [--rounds N] [--verify]");
        }
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        long size = Files.size(file);
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            checkTransport(client, expect);
            double mibps = switch (method) {
                case "transferTo", "sendfile", "mapped" -> send(method, file, size, rounds, client,
                        accepted, verify);
                case "transferFrom" -> receive(file, out, size, rounds, client, accepted, verify);
                default -> throw new IllegalArgumentException("unknown method " + method);
            };
            System.out.printf(Locale.ROOT, "RESULT method=%s mibps=%.1f bytes=%d%n", method,
                    mibps, size * rounds);
        }
    }

    private static double send(String method, Path file, long size, int rounds,
            SocketChannel client, SocketChannel accepted, boolean verify) throws Exception {
        long total = size * (rounds + 1);
        CompletableFuture<Long> sink = CompletableFuture.supplyAsync(() -> drain(accepted, total,
                size, verify));
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
            long start = 0;
            for (int r = 0; r <= rounds; r++) {
                if (r == 1) {
                    start = System.nanoTime();
                }
                long pos = 0;
                while (pos < size) {
                    pos += switch (method) {
                        case "sendfile" -> ((MptcpSocketChannel) client).transferFrom(file, pos,
                                size - pos);
                        case "mapped" -> writeMapped(fc, pos, Math.min(MAPPED, size - pos),
                                client);
                        default -> fc.transferTo(pos, size - pos, client);
                    };
                }
            }
            long crc = sink.get(10, TimeUnit.MINUTES);
            long elapsed = System.nanoTime() - start;
            if (verify && crc != crcOf(file, size)) {
                throw new IOException("the bytes received differ from the file");
            }
            // The first round is warm-up.
            return (total - size) / (1024.0 * 1024.0) / (elapsed / 1e9);
        }
    }

    /**
     * What {@code FileChannel.transferTo} does for a channel it trusts but cannot sendfile to
     * (JDK 21+ with a {@code sun.nio.ch.SelChImpl} that is not its own socket channel): map
     * 8 MiB and write the mapped buffer. The mapping is released only by the GC (unmapping
     * needs JDK internals), which is acceptable here and not in a library.
     */
    private static long writeMapped(FileChannel fc, long pos, long len, SocketChannel ch)
            throws IOException {
        ByteBuffer mapped = fc.map(FileChannel.MapMode.READ_ONLY, pos, len);
        while (mapped.hasRemaining()) {
            ch.write(mapped);
        }
        return len;
    }

    /** Reads {@code total} bytes; returns the CRC of the last {@code size} if verifying. */
    private static long drain(SocketChannel ch, long total, long size, boolean verify) {
        ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
        CRC32C crc = new CRC32C();
        long got = 0;
        try {
            while (got < total) {
                b.clear();
                int n = ch.read(b);
                if (n < 0) {
                    throw new IOException("end of stream after " + got + " of " + total);
                }
                if (verify && got + n > total - size) {
                    b.flip();
                    b.position((int) Math.max(0, total - size - got));
                    crc.update(b);
                }
                got += n;
            }
            return crc.getValue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double receive(Path file, Path out, long size, int rounds,
            SocketChannel client, SocketChannel accepted, boolean verify) throws Exception {
        if (out == null) {
            throw new IllegalArgumentException("transferFrom needs --out");
        }
        long total = size * (rounds + 1);
        CompletableFuture<Void> source = CompletableFuture.runAsync(() -> feed(file, size,
                rounds + 1, client));
        try (FileChannel fc = FileChannel.open(out, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            long start = 0;
            for (int r = 0; r <= rounds; r++) {
                if (r == 1) {
                    start = System.nanoTime();
                }
                long pos = 0;
                while (pos < size) {
                    long n = fc.transferFrom(accepted, pos, size - pos);
                    if (n == 0) {
                        throw new IOException("transferFrom made no progress at " + pos);
                    }
                    pos += n;
                }
            }
            long elapsed = System.nanoTime() - start;
            source.get(1, TimeUnit.MINUTES);
            if (verify && crcOf(out, size) != crcOf(file, size)) {
                throw new IOException("the file written differs from the file sent");
            }
            return (total - size) / (1024.0 * 1024.0) / (elapsed / 1e9);
        }
    }

    /** Writes the file {@code times} times from a direct buffer (plain writes, both sides). */
    private static void feed(Path file, long size, int times, SocketChannel ch) {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
            for (int t = 0; t < times; t++) {
                long pos = 0;
                while (pos < size) {
                    b.clear();
                    int n = fc.read(b, pos);
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    pos += n;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long crcOf(Path file, long size) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
            long pos = 0;
            while (pos < size) {
                b.clear().limit((int) Math.min(CHUNK, size - pos));
                int n = fc.read(b, pos);
                if (n < 0) {
                    break;
                }
                b.flip();
                crc.update(b);
                pos += n;
            }
        }
        return crc.getValue();
    }

    private static void checkTransport(SocketChannel c, String expect) throws IOException {
        int local = ((InetSocketAddress) c.getLocalAddress()).getPort();
        int remote = ((InetSocketAddress) c.getRemoteAddress()).getPort();
        KernelView view = KernelView.of(local, remote);
        boolean ok = "mptcp".equals(expect) ? view.isMptcp() : view.isPlainTcp();
        if (!ok) {
            throw new IOException("expected " + expect + " but the kernel shows\n" + view);
        }
    }
}
