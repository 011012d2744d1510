package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.awaitReady;
import static io.mptcp.nio.contract.ContractSupport.millisOf;
import static io.mptcp.nio.contract.ContractSupport.port;
import static io.mptcp.nio.contract.ContractSupport.writeFully;
import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * Case 4: the selector. Timing is used only to detect early returns, with generous bounds:
 * a select that should block for {@code t} ms and returns within {@code t/2} ms returned early.
 */
abstract class SelectorContract extends ChannelContract {

    /** A non-blocking connected channel with nothing to read, registered for OP_READ. */
    private SelectionKey idleKey(Selector selector) throws IOException {
        Pair pair = connectedPair();
        pair.client().configureBlocking(false);
        return pair.client().register(selector, OP_READ);
    }

    /** A connected pair whose client side has {@code bytes} waiting to be read. */
    private Pair readablePair(int bytes) throws IOException {
        Pair pair = connectedPair();
        writeFully(pair.accepted(), new byte[bytes]);
        pair.client().configureBlocking(false);
        return pair;
    }

    /** Asserts that {@code select(timeoutMillis)} returns 0 and does not return early. */
    private static void assertBlocksFor(Selector selector, long timeoutMillis) throws Exception {
        int[] selected = new int[1];
        long elapsed = millisOf(() -> selected[0] = selector.select(timeoutMillis));
        assertEquals(0, selected[0], "nothing should be selected");
        assertTrue(elapsed >= timeoutMillis / 2, "select(" + timeoutMillis
                + ") returned 0 after " + elapsed + " ms: it was woken or returned early");
    }

    @Test
    void wakeupFromAnotherThreadReleasesABlockedSelect() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);
        Task<Integer> select = start("select", selector::select);
        select.awaitBlockedIn(selector, "select");
        selector.wakeup();
        assertEquals(0, select.get(PROMPTLY), "woken, nothing ready");
        assertBlocksFor(selector, 300);
    }

    @Test
    void wakeupBeforeSelectMakesTheNextSelectReturnAtOnce() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);

        selector.wakeup();
        assertEquals(0, start("select()", selector::select).get(PROMPTLY));
        selector.wakeup();
        assertEquals(0, start("select(long)", () -> selector.select(60_000)).get(PROMPTLY));
        selector.wakeup();
        assertEquals(0, start("select(action)", () -> selector.select(k -> { })).get(PROMPTLY));

        selector.wakeup();
        assertEquals(0, selector.selectNow(), "selectNow clears a pending wakeup");
        assertBlocksFor(selector, 300);
    }

    @Test
    void wakeupsCoalesce() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);

        for (int i = 0; i < 100; i++) {
            selector.wakeup();
        }
        assertEquals(0, selector.selectNow());
        assertEquals(0, selector.selectNow(), "the second selectNow is not woken either");
        assertBlocksFor(selector, 400);

        for (int i = 0; i < 100; i++) {
            selector.wakeup();
        }
        assertEquals(0, start("select", () -> selector.select(60_000)).get(PROMPTLY));
        assertBlocksFor(selector, 400);
    }

    @Test
    void interestOpsChangedFromAnotherThreadWhileSelecting() throws Exception {
        Selector selector = openSelector();
        Pair pair = readablePair(10);
        SelectionKey key = pair.client().register(selector, 0);
        Task<Integer> loop = start("select-loop", () -> {
            int selects = 0;
            while (true) {
                selects++;
                selector.select();
                if (selector.selectedKeys().remove(key) && key.isReadable()) {
                    return selects;
                }
            }
        });
        loop.awaitBlockedIn(selector, "select");
        assertFalse(loop.isDone(), "a readable channel with interest 0 does not wake select");

        Task<Void> change = start("interestOps", () -> {
            key.interestOps(OP_READ);
            return null;
        });
        change.get(PROMPTLY);
        assertEquals(OP_READ, key.interestOps());
        selector.wakeup();
        assertTrue(loop.get(PROMPTLY) >= 1, "the new interest takes effect after the wakeup");
    }

    @Test
    void interestOpsZeroHidesAReadyChannel() throws Exception {
        Selector selector = openSelector();
        Pair pair = readablePair(10);
        SelectionKey key = pair.client().register(selector, OP_READ);
        awaitReady(selector, key, OP_READ);

        key.interestOps(0);
        assertBlocksFor(selector, 300);
        assertTrue(selector.selectedKeys().isEmpty());

        pair.accepted().close();
        assertBlocksFor(selector, 300);
        assertBlocksFor(selector, 300);
        assertTrue(selector.selectedKeys().isEmpty(), "a hung-up channel with interest 0 either");

        key.interestOps(OP_READ);
        assertEquals(1, selector.selectNow());
        assertTrue(key.isReadable());
        assertEquals(10, pair.client().read(ByteBuffer.allocate(100)));
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(100)));
    }

    @Test
    void readySetAccumulatesWhileTheKeyStaysSelected() throws Exception {
        Selector selector = openSelector();
        Pair pair = connectedPair();
        pair.client().configureBlocking(false);
        SelectionKey key = pair.client().register(selector, OP_READ | OP_WRITE);

        assertEquals(1, selector.selectNow());
        assertEquals(OP_WRITE, key.readyOps(), "writable, nothing to read");
        assertEquals(0, selector.selectNow(), "still selected, ready set unchanged: not counted");
        assertEquals(Set.of(key), selector.selectedKeys());

        writeFully(pair.accepted(), new byte[10]);
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        int updated = 0;
        while (!key.isReadable() && System.nanoTime() < deadline) {
            updated = selector.select(100);
        }
        assertEquals(1, updated, "the key whose ready set grew is counted");
        assertEquals(OP_READ | OP_WRITE, key.readyOps(), "ready sets are OR-ed, not replaced");
    }

    @Test
    void cancelledKeyIsFlushedAtTheNextSelect() throws Exception {
        Selector selector = openSelector();
        SelectionKey key = idleKey(selector);
        SocketChannel ch = (SocketChannel) key.channel();
        assertEquals(Set.of(key), selector.keys());

        key.cancel();
        key.cancel();
        assertFalse(key.isValid());
        assertThrows(CancelledKeyException.class, key::interestOps);
        assertThrows(CancelledKeyException.class, () -> key.interestOps(OP_READ));
        assertTrue(selector.keys().contains(key), "deregistered at the next selection only");
        assertTrue(ch.isRegistered());
        assertThrows(CancelledKeyException.class, () -> ch.register(selector, OP_READ),
                "re-registering before the cancelled key is flushed");

        assertEquals(0, selector.selectNow());
        assertFalse(selector.keys().contains(key), "flushed");
        assertFalse(ch.isRegistered());
        assertNull(ch.keyFor(selector));

        SelectionKey again = ch.register(selector, OP_READ, "again");
        assertNotSame(key, again);
        assertTrue(again.isValid());
        assertSame(again, ch.keyFor(selector));
        assertEquals("again", again.attachment());
        assertEquals(Set.of(again), selector.keys());
    }

    @Test
    void selectWithActionRunsItForReadyKeysWithoutTouchingSelectedKeys() throws Exception {
        Selector selector = openSelector();
        SelectionKey first = readablePair(5).client().register(selector, OP_READ, "first");
        SelectionKey second = readablePair(5).client().register(selector, OP_READ, "second");
        idleKey(selector);
        awaitReady(selector, first, OP_READ);
        awaitReady(selector, second, OP_READ);
        assertTrue(selector.selectedKeys().isEmpty());

        List<Object> seen = new ArrayList<>();
        Consumer<SelectionKey> action = k -> {
            assertEquals(OP_READ, k.readyOps());
            seen.add(k.attachment());
        };
        assertEquals(2, selector.select(action));
        assertEquals(Set.of("first", "second"), Set.copyOf(seen));
        assertEquals(2, seen.size(), "once per key");
        assertTrue(selector.selectedKeys().isEmpty(), "the action replaces the selected set");

        seen.clear();
        assertEquals(2, selector.selectNow(action));
        assertEquals(2, seen.size());
        seen.clear();
        assertEquals(2, selector.select(action, 1000));
        assertEquals(2, seen.size());

        first.interestOps(0);
        second.interestOps(0);
        long elapsed = millisOf(() -> assertEquals(0, selector.select(action, 300)));
        assertTrue(elapsed >= 150, "select(action, 300) returned early: " + elapsed + " ms");
        assertEquals(2, seen.size(), "no action without ready interest");

        first.interestOps(OP_READ);
        assertThrows(IllegalStateException.class, () -> selector.selectNow(k -> {
            try {
                selector.selectNow(x -> { });
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }), "select from inside the action");
        IllegalArgumentException thrown = new IllegalArgumentException("from the action");
        assertSame(thrown, assertThrows(IllegalArgumentException.class,
                () -> selector.selectNow(k -> {
                    throw thrown;
                })), "the action's exception reaches the caller");
        assertThrows(IllegalArgumentException.class, () -> selector.select(action, -1));
        assertThrows(IllegalArgumentException.class, () -> selector.select(-1));
        assertThrows(NullPointerException.class,
                () -> selector.select((Consumer<SelectionKey>) null));
    }

    @Test
    void selectedKeysIsUngrowableAndKeysIsUnmodifiable() throws Exception {
        Selector selector = openSelector();
        SelectionKey readable = readablePair(1).client().register(selector, OP_READ);
        SelectionKey other = readablePair(1).client().register(selector, OP_READ);
        awaitReady(selector, readable, OP_READ);
        awaitReady(selector, other, OP_READ);
        assertEquals(2, selector.selectNow());

        Set<SelectionKey> selected = selector.selectedKeys();
        assertSame(selected, selector.selectedKeys(), "the same set every time");
        assertThrows(UnsupportedOperationException.class, () -> selected.add(readable));
        assertThrows(UnsupportedOperationException.class, () -> selected.addAll(Set.of(other)));
        assertTrue(selected.remove(readable));
        assertEquals(Set.of(other), selected);
        var iterator = selected.iterator();
        assertSame(other, iterator.next());
        iterator.remove();
        assertTrue(selected.isEmpty());
        assertEquals(2, selector.selectNow());
        selected.clear();
        assertTrue(selected.isEmpty());

        Set<SelectionKey> keys = selector.keys();
        assertEquals(Set.of(readable, other), keys);
        assertThrows(UnsupportedOperationException.class, () -> keys.add(readable));
        assertThrows(UnsupportedOperationException.class, () -> keys.remove(readable));
        assertThrows(UnsupportedOperationException.class, keys::clear);
    }

    /**
     * Through a raw type (or an unchecked cast) anything can be offered to the sets; the JDK's
     * refuse it as they refuse a key, with UnsupportedOperationException, never a
     * ClassCastException from a cast the caller cannot see.
     */
    @Test
    void theKeySetsRefuseForeignObjectsAsUnsupported() throws Exception {
        Selector selector = openSelector();
        SelectionKey readable = readablePair(1).client().register(selector, OP_READ);
        awaitReady(selector, readable, OP_READ);
        assertEquals(1, selector.selectNow());
        for (Set<SelectionKey> set : List.of(selector.selectedKeys(), selector.keys())) {
            @SuppressWarnings("unchecked")
            Set<Object> raw = (Set<Object>) (Set<?>) set;
            assertThrows(UnsupportedOperationException.class, () -> raw.add(new Object()));
            assertThrows(UnsupportedOperationException.class, () -> raw.add(null));
            assertThrows(UnsupportedOperationException.class,
                    () -> raw.addAll(List.of(new Object())));
            assertThrows(UnsupportedOperationException.class, () -> raw.addAll(List.of()));
            assertFalse(raw.contains(new Object()));
            assertEquals(Set.of(readable), set, "unchanged");
        }
        @SuppressWarnings("unchecked")
        Set<Object> selected = (Set<Object>) (Set<?>) selector.selectedKeys();
        assertFalse(selected.remove(new Object()), "removing a foreign object is a no-op");
        assertFalse(selected.remove(null));
    }

    @Test
    void closedSelectorThrowsClosedSelectorException() throws Exception {
        Selector selector = openSelector();
        SelectionKey key = idleKey(selector);
        SocketChannel ch = (SocketChannel) key.channel();
        selector.close();

        assertFalse(selector.isOpen());
        assertFalse(key.isValid(), "closing the selector deregisters its keys");
        assertFalse(ch.isRegistered());
        assertTrue(ch.isOpen(), "but does not close the channels");
        Executable[] calls = {
            selector::select, () -> selector.select(10), selector::selectNow,
            () -> selector.select(k -> { }), () -> selector.selectNow(k -> { }),
            selector::keys, selector::selectedKeys, () -> ch.register(selector, OP_READ),
        };
        for (Executable call : calls) {
            assertThrows(ClosedSelectorException.class, call);
        }
        assertSame(selector, selector.wakeup(), "wakeup after close is a no-op");
        selector.close();
    }

    @Test
    void closeReleasesABlockedSelect() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);
        Task<Integer> select = start("select", selector::select);
        select.awaitBlockedIn(selector, "select");
        selector.close();
        try {
            select.get(PROMPTLY);
        } catch (AssertionError e) {
            assertInstanceOf(ClosedSelectorException.class, e.getCause(),
                    "select released by close either returns or throws ClosedSelectorException");
        }
    }

    @Test
    void interruptReleasesABlockedSelectAndKeepsTheInterruptStatus() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);
        Task<Boolean> select = start("select", () -> {
            selector.select();
            return Thread.currentThread().isInterrupted();
        });
        select.awaitBlockedIn(selector, "select");
        select.thread().interrupt();
        assertTrue(select.get(PROMPTLY), "select returns with the interrupt status still set");
        assertTrue(selector.isOpen(), "an interrupt does not close the selector");
        assertEquals(0, selector.selectNow());
    }

    @Test
    void channelsOfAnotherProviderAreRefused() throws Exception {
        Selector selector = openSelector();
        SelectableChannel foreign = track(Providers.openChannel(Providers.otherThan(provider())));
        assertThrows(IllegalSelectorException.class, () -> foreign.register(selector, OP_READ));
        assertFalse(foreign.isRegistered());
        assertTrue(selector.keys().isEmpty());

        Selector foreignSelector = track(Providers.otherThan(provider()).openSelector());
        SocketChannel ours = openSocketChannel();
        ours.configureBlocking(false);
        assertThrows(IllegalSelectorException.class, () -> ours.register(foreignSelector, OP_READ));
        assertFalse(ours.isRegistered());
        assertNull(ours.keyFor(foreignSelector));
        ours.register(selector, OP_READ);
        assertTrue(ours.isRegistered(), "still registrable with its own provider's selector");
    }

    @Test
    void registrationPreconditions() throws Exception {
        Selector selector = openSelector();
        SocketChannel ch = openSocketChannel();
        assertThrows(IllegalBlockingModeException.class, () -> ch.register(selector, OP_READ),
                "a blocking channel cannot be registered");
        ch.configureBlocking(false);
        assertThrows(IllegalArgumentException.class, () -> ch.register(selector, OP_ACCEPT),
                "OP_ACCEPT is not valid for a socket channel");
        SelectionKey key = ch.register(selector, OP_READ);
        assertThrows(IllegalArgumentException.class, () -> key.interestOps(OP_ACCEPT));
        assertThrows(IllegalBlockingModeException.class, () -> ch.configureBlocking(true),
                "a registered channel cannot become blocking");
        assertSame(key, ch.register(selector, OP_WRITE, "att"), "same selector, same key");
        assertEquals(OP_WRITE, key.interestOps());
        assertEquals("att", key.attachment());

        SocketChannel closed = openSocketChannel();
        closed.configureBlocking(false);
        closed.close();
        assertThrows(ClosedChannelException.class, () -> closed.register(selector, OP_READ));
    }

    /** XNIO registers one channel with several selectors at once. */
    @Test
    void oneChannelInTwoSelectors() throws Exception {
        Selector first = openSelector();
        Selector second = openSelector();
        Pair pair = readablePair(3);
        SelectionKey firstKey = pair.client().register(first, OP_READ);
        SelectionKey secondKey = pair.client().register(second, OP_READ);
        assertNotSame(firstKey, secondKey);
        awaitReady(first, firstKey, OP_READ);
        awaitReady(second, secondKey, OP_READ);

        firstKey.cancel();
        first.selectNow();
        assertTrue(pair.client().isRegistered(), "still registered with the second selector");
        assertEquals(1, second.selectNow());
        assertTrue(secondKey.isReadable());
    }

    /** Register may run while another thread is blocked in select (Jetty, Tomcat do it). */
    @Test
    void registerWhileSelectingDoesNotBlock() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);
        Task<Object> loop = start("select-loop", () -> {
            while (true) {
                selector.select();
                for (SelectionKey k : selector.selectedKeys()) {
                    if ("late".equals(k.attachment()) && k.isReadable()) {
                        return k.attachment();
                    }
                }
                selector.selectedKeys().clear();
            }
        });
        loop.awaitBlockedIn(selector, "select");
        Pair pair = readablePair(1);
        Task<SelectionKey> register =
                start("register", () -> pair.client().register(selector, OP_READ, "late"));
        SelectionKey key = register.get(PROMPTLY);
        assertTrue(selector.keys().contains(key), "in the key set at once");
        selector.wakeup();
        assertEquals("late", loop.get(PROMPTLY));
    }

    @Test
    void peerResetIsReportedAsReadableAndTheReadFails() throws Exception {
        Selector selector = openSelector();
        Pair pair = connectedPair();
        pair.client().configureBlocking(false);
        SelectionKey key = pair.client().register(selector, OP_READ);
        pair.accepted().setOption(StandardSocketOptions.SO_LINGER, 0);
        pair.accepted().close();
        awaitReady(selector, key, OP_READ);
        assertThrows(SocketException.class, () -> pair.client().read(ByteBuffer.allocate(10)),
                "connection reset");
    }

    @Test
    void closingARegisteredChannelCancelsItsKeyAndClosesAfterTheNextSelect() throws Exception {
        Selector selector = openSelector();
        Pair pair = connectedPair();
        pair.client().configureBlocking(false);
        SelectionKey key = pair.client().register(selector, OP_READ);
        pair.client().close();
        assertFalse(key.isValid(), "closing a channel cancels its keys");
        assertFalse(pair.client().isOpen());

        assertEquals(0, selector.selectNow());
        assertFalse(pair.client().isRegistered());
        assertFalse(selector.keys().contains(key));
        Task<Integer> peer = start("peer-read", () -> pair.accepted().read(ByteBuffer.allocate(1)));
        assertEquals(-1, peer.get(PROMPTLY), "the deferred close completed: the peer sees EOF");
    }

    @Test
    void closingARegisteredListenerReleasesItsPortAfterTheNextSelect() throws Exception {
        Selector selector = openSelector();
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        server.configureBlocking(false);
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        server.register(selector, OP_ACCEPT);
        server.close();
        assertEquals(0, selector.selectNow());
        assertFalse(server.isRegistered());

        SocketChannel client = openSocketChannel();
        assertThrows(ConnectException.class, () -> client.connect(address),
                "nothing listens on the port any more");
        ServerSocketChannel again = openServerSocketChannel();
        again.bind(address);
        assertEquals(address.getPort(), port(again.getLocalAddress()), "the port is free again");
    }

    @Test
    void selectWithATimeoutReturnsZeroWhenNothingIsReady() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);
        assertBlocksFor(selector, 200);
        Selector empty = openSelector();
        assertBlocksFor(empty, 200);
    }

    /**
     * Netty rebuilds its selector after 512 early zero returns. An idle selector with a quiet
     * channel, a hung-up channel with interest 0, a listener and a used wakeup must return 0
     * from select(50) only after its timeout, every time.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void idleSelectNeverReturnsZeroEarly() throws Exception {
        Selector selector = openSelector();
        idleKey(selector);
        Pair hungUp = connectedPair();
        hungUp.client().configureBlocking(false);
        hungUp.client().register(selector, 0);
        hungUp.accepted().close();
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        server.configureBlocking(false);
        server.register(selector, OP_ACCEPT);
        selector.wakeup();
        assertEquals(0, selector.select());

        int early = 0;
        for (int i = 0; i < 200; i++) {
            long start = System.nanoTime();
            int n = selector.select(50);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, n, "select " + i + " selected a key");
            if (elapsed < 25) {
                early++;
            }
        }
        assertEquals(0, early, "select(50) returned 0 early");
    }
}
