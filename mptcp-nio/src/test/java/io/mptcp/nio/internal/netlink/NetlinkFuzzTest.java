package io.mptcp.nio.internal.netlink;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of the decoders: mutations of the captured datagrams (bit flips, lying
 * lengths, truncation, splices, nest flags) and random bytes. Every input must either decode
 * or end in {@link NetlinkProtocolException}; anything else fails with the seed, iteration and
 * input. {@code -Dnetlink.fuzz.iterations=10000000} runs longer, {@code -Dnetlink.fuzz.seed=N}
 * another sequence (the default seed makes the suite reproducible).
 */
class NetlinkFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("netlink.fuzz.iterations", 1_000_000);
    private static final long SEED = Long.getLong("netlink.fuzz.seed", 0x6d70_7463_6e6cL);

    private static final int[] LENGTHS = {0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 19, 20, 0x7fff,
        0x8000, 0xfffe, 0xffff};

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void onlyDecodeOrProtocolException() {
        List<byte[]> seeds = new ArrayList<>();
        List<Boolean> route = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : Fixtures.all().entrySet()) {
            seeds.add(f.getValue());
            route.add(Decode.isRoute(f.getKey()));
        }
        SplittableRandom rnd = new SplittableRandom(SEED);
        long decoded = 0;
        long rejected = 0;
        long start = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            int pick = rnd.nextInt(seeds.size());
            byte[] input = rnd.nextInt(16) == 0 ? random(rnd) : mutate(rnd, seeds, pick);
            boolean asRoute = rnd.nextInt(8) == 0 ? !route.get(pick) : route.get(pick);
            try {
                Decode.all(asRoute, ByteBuffer.wrap(input));
                decoded++;
            } catch (NetlinkProtocolException expected) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("seed " + SEED + " iteration " + i + (asRoute ? " (route)" : " (generic)")
                        + ": " + e + " on input " + HexFormat.of().formatHex(input), e);
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("netlink fuzz: %d inputs (seed %d): %d decoded, %d rejected, %d ms%n",
                ITERATIONS, SEED, decoded, rejected, millis);
        assertTrue(decoded > ITERATIONS / 50, "the mutations should leave some input valid");
        assertTrue(rejected > ITERATIONS / 50, "and break some");
    }

    private static byte[] random(SplittableRandom rnd) {
        byte[] b = new byte[rnd.nextInt(96)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        if (b.length >= 16 && rnd.nextBoolean()) {
            // A plausible header, so that random bytes reach the attribute parsers.
            ByteBuffer h = ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder());
            h.putInt(0, b.length - rnd.nextInt(4));
            h.putShort(4, (short) (rnd.nextBoolean() ? Decode.MPTCP_PM_FAMILY : rnd.nextInt(32)));
        }
        return b;
    }

    private static byte[] mutate(SplittableRandom rnd, List<byte[]> seeds, int pick) {
        byte[] b = seeds.get(pick).clone();
        int rounds = 1 + rnd.nextInt(4);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(9)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[at] = (byte) rnd.nextInt(256);
                case 2 -> putShort(b, at & ~1, rnd.nextBoolean()
                        ? LENGTHS[rnd.nextInt(LENGTHS.length)] : rnd.nextInt(0x10000));
                case 3 -> putInt(b, at & ~3, rnd.nextBoolean()
                        ? LENGTHS[rnd.nextInt(LENGTHS.length)] + rnd.nextInt(3) - 1
                        : rnd.nextInt());
                case 4 -> b = java.util.Arrays.copyOf(b, at);
                case 5 -> b = grow(rnd, b, at);
                case 6 -> b = splice(rnd, b, seeds.get(rnd.nextInt(seeds.size())), at);
                case 7 -> b[(at & ~3) + 3 < b.length ? (at & ~3) + 3 : at] ^= (byte) 0x80;
                default -> putShort(b, at & ~3, (b[at & ~3] & 0xff) + rnd.nextInt(9) - 4);
            }
        }
        return b;
    }

    private static byte[] grow(SplittableRandom rnd, byte[] b, int at) {
        int n = 1 + rnd.nextInt(16);
        byte[] out = new byte[b.length + n];
        System.arraycopy(b, 0, out, 0, at);
        for (int i = 0; i < n; i++) {
            out[at + i] = (byte) rnd.nextInt(256);
        }
        System.arraycopy(b, at, out, at + n, b.length - at);
        return out;
    }

    private static byte[] splice(SplittableRandom rnd, byte[] b, byte[] other, int at) {
        int from = rnd.nextInt(other.length);
        int n = Math.min(other.length - from, 1 + rnd.nextInt(32));
        byte[] out = java.util.Arrays.copyOf(b, Math.max(b.length, at + n));
        System.arraycopy(other, from, out, at, n);
        return out;
    }

    private static void putShort(byte[] b, int at, int v) {
        if (at + 1 < b.length) {
            ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).putShort(at, (short) v);
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        if (at + 3 < b.length) {
            ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).putInt(at, v);
        }
    }
}
