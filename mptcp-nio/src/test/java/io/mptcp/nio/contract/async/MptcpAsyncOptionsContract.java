package io.mptcp.nio.contract.async;

import static io.mptcp.nio.MptcpSocketOptions.MPTCP_ENABLED;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_FALLBACK_REASON;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_INFO;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_SUBFLOWS;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.FallbackReason;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What only our asynchronous channels have: the {@code MptcpSocketOptions}, and MPTCP under the
 * same policy as our {@code SocketChannel}. Run in modes {@code all} and {@code off}.
 */
abstract class MptcpAsyncOptionsContract extends AsyncContract {

    /** Whether connections in this suite's mode are MPTCP. */
    protected abstract boolean mptcpExpected();

    @Override
    protected final AsynchronousChannelProvider provider() {
        return AsyncProviders.MPTCP;
    }

    /**
     * What {@code MPTCP_ENABLED} must read; where MPTCP is expected and the kernel cannot give
     * it, the test is skipped visibly (failed under {@code CI=true}).
     */
    private boolean expected() throws IOException {
        if (mptcpExpected()) {
            Path enabled = Path.of("/proc/sys/net/mptcp/enabled");
            boolean on = Files.exists(enabled) && Files.readString(enabled).trim().equals("1");
            if (!on) {
                String why = "no MPTCP in this kernel (net.mptcp.enabled is not 1)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    Assertions.fail(why + " (CI=true: the CI machine must have it)");
                }
                Assumptions.abort(why);
            }
        }
        return mptcpExpected();
    }

    @Test
    void connectionUsesMptcpAsThePolicySays() throws Exception {
        boolean mptcp = expected();
        Pair p = connect(null);
        assertEquals(mptcp, p.server().getOption(MPTCP_ENABLED), "listener");
        assertEquals(mptcp, p.client().getOption(MPTCP_ENABLED), "client");
        assertEquals(mptcp, p.accepted().getOption(MPTCP_ENABLED), "accepted");
        assertEquals(mptcp, p.client().getOption(MPTCP_TOKEN).isPresent());
        FallbackReason.Kind kind = mptcp ? FallbackReason.Kind.MPTCP_IN_USE
                : FallbackReason.Kind.NOT_REQUESTED;
        assertEquals(kind, p.server().getOption(MPTCP_FALLBACK_REASON).kind(), "listener");
        assertEquals(kind, p.client().getOption(MPTCP_FALLBACK_REASON).kind(), "client");
        assertEquals(kind, p.accepted().getOption(MPTCP_FALLBACK_REASON).kind(), "accepted");
        assertEquals(mptcp, p.accepted().getOption(MPTCP_INFO).isPresent());
        List<?> subflows = p.client().getOption(MPTCP_SUBFLOWS);
        assertEquals(mptcp ? 1 : 0, subflows.size(), "one subflow on loopback: " + subflows);
        assertTrue(p.client().supportedOptions().contains(MPTCP_ENABLED));
        assertTrue(p.server().supportedOptions().contains(MPTCP_ENABLED));
        assertThrows(SocketException.class,
                () -> p.client().setOption(MPTCP_TOKEN, Optional.empty()), "read-only");
    }

    @Test
    void mptcpEnabledChosenPerChannelBeforeConnect() throws Exception {
        boolean mptcp = expected();
        AsynchronousServerSocketChannel server = track(
                provider().openAsynchronousServerSocketChannel(null));
        server.setOption(MPTCP_ENABLED, true);
        server.bind(null);
        AsynchronousSocketChannel client = open(null);
        client.setOption(MPTCP_ENABLED, !mptcp);
        assertEquals(!mptcp, client.getOption(MPTCP_ENABLED), "switched before connect");
        Future<AsynchronousSocketChannel> accept = server.accept();
        client.connect(server.getLocalAddress()).get(STEP_SECONDS, TimeUnit.SECONDS);
        AsynchronousSocketChannel accepted = track(accept.get(STEP_SECONDS, TimeUnit.SECONDS));
        writeFully(client, new byte[] {42});
        assertEquals(42, readFully(accepted, 1)[0]);
        assertEquals(!mptcp, client.getOption(MPTCP_ENABLED));
        assertEquals(!mptcp, accepted.getOption(MPTCP_ENABLED));
        SocketException e = assertThrows(SocketException.class,
                () -> client.setOption(MPTCP_ENABLED, mptcp));
        assertTrue(e.getMessage().contains("already"), e.getMessage());
        assertEquals(mptcp, client.getOption(MPTCP_SUBFLOWS).isEmpty());
    }
}
