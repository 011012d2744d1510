package io.mptcp.nio.internal.select;

import io.mptcp.nio.internal.select.EpollSelectorFixture.TestChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;

import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The selection key's own contract: validation, cancellation, atomic updates. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelectionKeyImplTest {
    private final EpollSelectorFixture kernel;
    private final EpollSelector selector;
    private final TestChannel channel;
    private final SelectionKey key;

    SelectionKeyImplTest() throws IOException {
        kernel = new EpollSelectorFixture();
        selector = kernel.openSelector();
        channel = kernel.channel(7);
        key = channel.register(selector, OP_READ);
    }

    @Test
    void belongsToItsChannelAndSelector() {
        assertSame(channel, key.channel());
        assertSame(selector, key.selector());
        assertSame(key, channel.keyFor(selector));
        assertEquals(OP_READ, key.interestOps());
        assertEquals(0, key.readyOps());
    }

    @Test
    void interestOutsideTheValidOpsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> key.interestOps(OP_ACCEPT));
        assertThrows(IllegalArgumentException.class, () -> key.interestOpsOr(OP_ACCEPT));
        assertEquals(OP_READ, key.interestOps());
        // Clearing bits is always valid, whatever the mask.
        assertEquals(OP_READ, key.interestOpsAnd(~OP_ACCEPT));
    }

    @Test
    void orAndAndReturnThePreviousInterest() {
        assertEquals(OP_READ, key.interestOpsOr(OP_WRITE));
        assertEquals(OP_READ | OP_WRITE, key.interestOps());
        assertEquals(OP_READ | OP_WRITE, key.interestOpsAnd(OP_WRITE));
        assertEquals(OP_WRITE, key.interestOps());
        assertSame(key, key.interestOps(0));
    }

    @Test
    void cancelledKeyRefusesTheOperationsThatNeedAValidKey() throws IOException {
        kernel.setReady(7, EPOLLIN);
        selector.selectNow();
        key.cancel();
        assertFalse(key.isValid());
        assertThrows(CancelledKeyException.class, key::interestOps);
        assertThrows(CancelledKeyException.class, () -> key.interestOps(OP_READ));
        assertThrows(CancelledKeyException.class, () -> key.interestOpsOr(OP_READ));
        assertThrows(CancelledKeyException.class, () -> key.interestOpsAnd(0));
        assertThrows(CancelledKeyException.class, key::readyOps);
        assertThrows(CancelledKeyException.class, key::isReadable);
        assertTrue(key.toString().endsWith(", invalid"), key.toString());
        key.cancel();
    }

    @Test
    void concurrentOrAndAndLoseNoUpdate() throws Exception {
        key.interestOps(0);
        for (int round = 0; round < 1000; round++) {
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(
                    () -> key.interestOpsOr(OP_READ));
            key.interestOpsOr(OP_WRITE);
            read.get();
            assertEquals(OP_READ | OP_WRITE, key.interestOps());
            key.interestOpsAnd(0);
        }
        selector.selectNow();
        assertNull(kernel.registered(7));
    }

    @Test
    void toStringShowsTheSets() throws IOException {
        kernel.setReady(7, EPOLLIN);
        selector.selectNow();
        assertEquals("channel=TestChannel[fd=7], selector=" + selector
                + ", interestOps=1, readyOps=1", key.toString());
    }
}
