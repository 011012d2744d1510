package io.mptcp.nio.internal.select;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key sets a selector hands out: what applications may and may not do with them. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EpollSelectorSelectedKeysTest {
    private final EpollSelectorFixture kernel;
    private final EpollSelector selector;
    private final List<SelectionKey> ready = new ArrayList<>();

    EpollSelectorSelectedKeysTest() throws IOException {
        kernel = new EpollSelectorFixture();
        selector = kernel.openSelector();
        for (int fd = 7; fd < 12; fd++) {
            ready.add(kernel.channel(fd).register(selector, OP_READ));
            kernel.setReady(fd, EPOLLIN);
        }
        assertEquals(5, selector.selectNow());
    }

    @Test
    void selectedKeysCannotGrow() {
        Set<SelectionKey> selected = selector.selectedKeys();
        SelectionKey key = ready.get(0);
        assertThrows(UnsupportedOperationException.class, () -> selected.add(key));
        assertThrows(UnsupportedOperationException.class, () -> selected.addAll(Set.of(key)));
        assertThrows(UnsupportedOperationException.class, () -> selected.addAll(Set.of()));
        assertSame(selected, selector.selectedKeys());
    }

    @Test
    void keysCannotBeChanged() {
        Set<SelectionKey> keys = selector.keys();
        SelectionKey key = ready.get(0);
        assertThrows(UnsupportedOperationException.class, () -> keys.remove(key));
        assertThrows(UnsupportedOperationException.class, keys::clear);
        assertEquals(new HashSet<>(ready), keys);
    }

    @Test
    void removingEachVisitedKeyVisitsEveryKeyOnce() {
        List<SelectionKey> visited = new ArrayList<>();
        for (Iterator<SelectionKey> i = selector.selectedKeys().iterator(); i.hasNext(); ) {
            visited.add(i.next());
            i.remove();
        }
        assertEquals(new HashSet<>(ready), new HashSet<>(visited));
        assertEquals(5, visited.size());
        assertTrue(selector.selectedKeys().isEmpty());
    }

    @Test
    void removingSomeKeysKeepsTheOthers() {
        Set<SelectionKey> selected = selector.selectedKeys();
        assertTrue(selected.remove(ready.get(1)));
        assertFalse(selected.remove(ready.get(1)));
        selected.removeIf(k -> k == ready.get(3));
        assertEquals(Set.of(ready.get(0), ready.get(2), ready.get(4)), selected);
        assertFalse(selected.contains(ready.get(3)));
        assertFalse(selected.contains("not a key"));
    }

    @Test
    void removedKeyIsSelectedAgainWhileReady() throws IOException {
        Set<SelectionKey> selected = selector.selectedKeys();
        selected.clear();
        assertTrue(selected.isEmpty());
        assertEquals(5, selector.selectNow());
        assertEquals(5, selected.size());
    }

    @Test
    void keyOfAnotherSelectorIsNotContained() throws IOException {
        EpollSelector other = kernel.openSelector();
        SelectionKey foreign = kernel.channel(20).register(other, OP_READ);
        kernel.setReady(20, EPOLLIN);
        other.selectNow();
        assertTrue(other.selectedKeys().contains(foreign));
        assertFalse(selector.selectedKeys().contains(foreign));
        assertFalse(selector.selectedKeys().remove(foreign));
        assertTrue(other.selectedKeys().contains(foreign));
    }

    @Test
    void iteratorFollowsTheCollectionContract() throws IOException {
        Iterator<SelectionKey> i = selector.selectedKeys().iterator();
        assertThrows(IllegalStateException.class, i::remove);
        i.next();
        i.remove();
        assertThrows(IllegalStateException.class, i::remove);
        while (i.hasNext()) {
            i.next();
        }
        assertThrows(NoSuchElementException.class, i::next);

        Iterator<SelectionKey> stale = selector.selectedKeys().iterator();
        stale.next();
        selector.selectNow();
        assertThrows(ConcurrentModificationException.class, stale::next);
    }
}
