package io.mptcp.nio.internal.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed socket-diagnostics answers: hand-made cases that must end in
 * {@link NetlinkProtocolException} naming what is wrong, and seeded mutations of the captured
 * datagrams (bit flips, lying lengths, truncation, splices) that must each either decode or
 * end in that exception. {@code -Dsockdiag.fuzz.iterations=N} runs longer.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SockDiagHostileTest {
    private static final int ITERATIONS = Integer.getInteger("sockdiag.fuzz.iterations", 300_000);
    private static final long SEED = 0x736f_636b_6469L;
    // Offsets in the captured answer lookup-v4-join-ifindex-reply.
    private static final int MSG = Netlink.NLMSG_HDRLEN;
    private static final int ATTRS = MSG + SockDiag.SIZEOF_MSG;

    private static byte[] answer() {
        return Fixtures.sockDiag("lookup-v4-join-ifindex-reply");
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    private static String rejected(byte[] datagram) {
        return assertThrows(NetlinkProtocolException.class,
                () -> SockDiagDecode.all(ByteBuffer.wrap(datagram))).getMessage();
    }

    /** Offset of the first attribute of {@code type} at the top level of the answer. */
    private static int offsetOf(byte[] b, int type) {
        ByteBuffer l = le(b);
        int at = ATTRS;
        while (at + 4 <= b.length) {
            int len = l.getShort(at) & 0xffff;
            if ((l.getShort(at + 2) & 0x3fff) == type) {
                return at;
            }
            at += Netlink.align(len);
        }
        throw new AssertionError("no attribute " + type);
    }

    @Test
    void anAnswerShorterThanInetDiagMsg() {
        byte[] b = Arrays.copyOf(answer(), MSG + 40);
        le(b).putInt(0, b.length);
        String m = rejected(b);
        assertTrue(m.contains("inet_diag_msg") && m.contains("72 needed"), m);
    }

    @Test
    void aFamilyNeitherIpv4NorIpv6() {
        byte[] b = answer();
        b[MSG] = 1;
        String m = rejected(b);
        assertTrue(m.contains("idiag_family 1"), m);
    }

    @Test
    void aUlpNestLongerThanTheMessage() {
        byte[] b = answer();
        int ulp = offsetOf(b, SockDiag.INET_DIAG_ULP_INFO);
        le(b).putShort(ulp, (short) (b.length - ulp + 4));
        String m = rejected(b);
        assertTrue(m.contains("nla_len"), m);
    }

    @Test
    void aMptcpNestWhoseAttributesLie() {
        byte[] b = answer();
        int ulp = offsetOf(b, SockDiag.INET_DIAG_ULP_INFO);
        // The MPTCP nest follows the 12 bytes of the name (10, padded) in the ULP nest.
        int mptcp = ulp + 4 + 12;
        assertEquals(SockDiag.INET_ULP_INFO_MPTCP, le(b).getShort(mptcp + 2));
        le(b).putShort(mptcp + 4, (short) 200);
        String m = rejected(b);
        assertTrue(m.contains("nla_len 200"), m);
    }

    @Test
    void flagsTooShortForAU32() {
        byte[] b = answer();
        int ulp = offsetOf(b, SockDiag.INET_DIAG_ULP_INFO);
        int mptcp = ulp + 4 + 12;
        ByteBuffer l = le(b);
        // TOKEN_REM, TOKEN_LOC, then FLAGS: 8 bytes each.
        int flags = mptcp + 4 + 16;
        assertEquals(SockDiag.MPTCP_SUBFLOW_ATTR_FLAGS, l.getShort(flags + 2));
        l.putShort(flags, (short) 6);
        String m = rejected(b);
        assertTrue(m.contains("u32/s32 needs 4"), m);
    }

    @Test
    void anAnswerWithoutTheMptcpNestHasNoSubflow() throws Exception {
        byte[] b = answer();
        int ulp = offsetOf(b, SockDiag.INET_DIAG_ULP_INFO);
        le(b).putShort(ulp + 2, (short) 99);
        InetDiagMsg m = (InetDiagMsg) SockDiagDecode.all(ByteBuffer.wrap(b)).get(0);
        assertEquals(Optional.empty(), m.subflow());
    }

    @Test
    void mutationsOnlyDecodeOrEndInAProtocolException() {
        List<byte[]> seeds = new ArrayList<>();
        Fixtures.sockDiag().forEach((name, bytes) -> {
            if (!name.endsWith("-request")) {
                seeds.add(bytes);
            }
        });
        SplittableRandom rnd = new SplittableRandom(SEED);
        long decoded = 0;
        long rejected = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(rnd, seeds);
            try {
                SockDiagDecode.all(ByteBuffer.wrap(input));
                decoded++;
            } catch (NetlinkProtocolException expected) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("seed " + SEED + " iteration " + i + ": " + e + " on input "
                        + HexFormat.of().formatHex(input), e);
            }
        }
        System.out.printf("sock_diag fuzz: %d inputs: %d decoded, %d rejected%n", ITERATIONS,
                decoded, rejected);
        assertTrue(decoded > ITERATIONS / 50, "the mutations should leave some input valid");
        assertTrue(rejected > ITERATIONS / 50, "and break some");
    }

    private static byte[] mutate(SplittableRandom rnd, List<byte[]> seeds) {
        byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
        int rounds = 1 + rnd.nextInt(4);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[at] = (byte) rnd.nextInt(256);
                case 2 -> {
                    // A length field (nla_len, or the low half of nlmsg_len) that lies.
                    int even = at & ~1;
                    if (even + 1 < b.length) {
                        le(b).putShort(even, (short) (rnd.nextBoolean()
                                ? rnd.nextInt(0x10000) : rnd.nextInt(16)));
                    }
                }
                case 3 -> b = Arrays.copyOf(b, at);
                case 4 -> {
                    byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                    int from = rnd.nextInt(other.length);
                    int n = Math.min(other.length - from, 1 + rnd.nextInt(32));
                    b = Arrays.copyOf(b, Math.max(b.length, at + n));
                    System.arraycopy(other, from, b, at, n);
                }
                default -> {
                    // The family byte, the part the decoder switches on.
                    if (b.length > MSG) {
                        b[MSG] = (byte) (rnd.nextBoolean() ? 2 : 10);
                    }
                }
            }
        }
        return b;
    }
}
