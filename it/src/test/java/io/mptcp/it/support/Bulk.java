package io.mptcp.it.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk transfers with a SHA-256 of every byte on both sides, so that a test can prove no byte
 * was lost, duplicated or reordered; the receiver also keeps the time of each read, to measure
 * stalls.
 */
public final class Bulk {

    private static final int CHUNK = 64 * 1024;

    private Bulk() {
    }

    /** What a sender sent, and when (System.nanoTime). */
    public record Sent(long bytes, String sha256, long startNanos, long endNanos) {
    }

    /**
     * What a receiver got. {@code readNanos} holds the time of every read that returned data,
     * in order ({@code reads} of them), and {@code readTotals} the bytes received up to and
     * including that read.
     */
    public record Received(long bytes, String sha256, long startNanos, long endNanos,
            long[] readNanos, long[] readTotals, int reads) {

        /** Bits per second from {@code fromNanos} to the last byte. */
        public double bitsPerSecondSince(long fromNanos) {
            return bytes * 8.0 / ((endNanos - fromNanos) / 1e9);
        }

        /**
         * Bits per second after the first {@code skipFraction} of the bytes had arrived: the
         * steady rate, without connection set-up and slow start.
         */
        public double steadyBitsPerSecond(double skipFraction) {
            long skip = (long) (bytes * skipFraction);
            for (int i = 0; i < reads; i++) {
                if (readTotals[i] >= skip) {
                    return (bytes - readTotals[i]) * 8.0 / ((endNanos - readNanos[i]) / 1e9);
                }
            }
            throw new IllegalStateException("no read after " + skip + " bytes");
        }

        /**
         * The longest time without data after {@code instant}: from the last read before it
         * (or {@code instant} itself if there was none) through every later gap between reads,
         * to the end of the transfer.
         */
        public long longestGapAfterNanos(long instant) {
            long previous = instant;
            long longest = 0;
            for (int i = 0; i < reads; i++) {
                long t = readNanos[i];
                if (t < instant) {
                    previous = t;
                    continue;
                }
                longest = Math.max(longest, t - previous);
                previous = t;
            }
            return longest;
        }
    }

    /**
     * Writes {@code bytes} pseudo-random bytes (from {@code seed}) to a blocking channel.
     */
    public static Sent send(WritableByteChannel ch, long bytes, long seed) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long start = System.nanoTime();
        long left = bytes;
        while (left > 0) {
            buf.clear();
            while (buf.remaining() >= Long.BYTES) {
                buf.putLong(random.nextLong());
            }
            buf.flip();
            buf.limit((int) Math.min(CHUNK, left));
            sha.update(buf.duplicate());
            while (buf.hasRemaining()) {
                left -= ch.write(buf);
            }
        }
        return new Sent(bytes, hex(sha), start, System.nanoTime());
    }

    /**
     * Reads from a blocking channel until end of stream, or until {@code limit} bytes when
     * {@code limit} is not negative.
     */
    public static Received receive(ReadableByteChannel ch, long limit) throws IOException {
        return receive(ch, limit, new AtomicLong());
    }

    /** As {@link #receive(ReadableByteChannel, long)}, counting the bytes in {@code progress}. */
    public static Received receive(ReadableByteChannel ch, long limit, AtomicLong progress)
            throws IOException {
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long[] times = new long[4096];
        long[] totals = new long[times.length];
        int reads = 0;
        long total = 0;
        long start = System.nanoTime();
        while (limit < 0 || total < limit) {
            buf.clear();
            if (limit >= 0) {
                buf.limit((int) Math.min(CHUNK, limit - total));
            }
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            if (reads == times.length) {
                times = Arrays.copyOf(times, reads * 2);
                totals = Arrays.copyOf(totals, reads * 2);
            }
            total += n;
            times[reads] = System.nanoTime();
            totals[reads++] = total;
            progress.set(total);
            buf.flip();
            sha.update(buf);
        }
        long end = reads == 0 ? System.nanoTime() : times[reads - 1];
        return new Received(total, hex(sha), start, end, times, totals, reads);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String hex(MessageDigest sha) {
        return HexFormat.of().formatHex(sha.digest());
    }
}
