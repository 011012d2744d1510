package io.mptcp.nio.internal.select;

import java.nio.channels.SelectionKey;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The selected-key set of an {@link EpollSelector}: applications may remove keys (one at a
 * time, through the iterator, or all with {@link #clear()}) but not add them, like the JDK's
 * "ungrowable" set.
 *
 * <p>A {@code HashSet} would allocate a node each time a key is selected. Here each key
 * records its own slot in a dense array, so adding, finding and removing a key take constant
 * time and allocate nothing. Removal moves the last key into the freed slot; the iterator
 * accounts for that, so a loop that removes every key it visits still sees each key once.
 *
 * <p>Not thread-safe, like the JDK's: selection operations hold its monitor, and applications
 * that use it from several threads must do the same.
 */
final class SelectedKeySet extends AbstractSet<SelectionKey> {
    private SelectionKeyImpl[] keys = new SelectionKeyImpl[16];
    private int size;
    private int modCount;

    /** Adds a key of the owning selector; for the selector only. */
    void addKey(SelectionKeyImpl key) {
        if (key.selectedIndex >= 0) {
            return;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
        }
        keys[size] = key;
        key.selectedIndex = size++;
        modCount++;
    }

    // No add(SelectionKey) override on purpose: javac would bridge add(Object) to it with a
    // cast, so that add(new Object()) through a raw type threw ClassCastException where the
    // JDK's set throws UnsupportedOperationException. AbstractCollection.add(Object) throws
    // that for any argument.

    @Override
    public boolean addAll(Collection<? extends SelectionKey> c) {
        throw new UnsupportedOperationException("keys cannot be added to the selected-key set");
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    @Override
    public boolean remove(Object o) {
        int i = indexOf(o);
        if (i < 0) {
            return false;
        }
        removeAt(i);
        return true;
    }

    @Override
    public void clear() {
        for (int i = 0; i < size; i++) {
            keys[i].selectedIndex = -1;
            keys[i] = null;
        }
        size = 0;
        modCount++;
    }

    @Override
    public Iterator<SelectionKey> iterator() {
        return new Itr();
    }

    private int indexOf(Object o) {
        if (o instanceof SelectionKeyImpl) {
            SelectionKeyImpl key = (SelectionKeyImpl) o;
            int i = key.selectedIndex;
            // A key of another selector has a slot in that selector's set, not in this one.
            if (i >= 0 && i < size && keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    private void removeAt(int i) {
        SelectionKeyImpl removed = keys[i];
        int last = --size;
        if (i != last) {
            SelectionKeyImpl moved = keys[last];
            keys[i] = moved;
            moved.selectedIndex = i;
        }
        keys[last] = null;
        removed.selectedIndex = -1;
        modCount++;
    }

    private final class Itr implements Iterator<SelectionKey> {
        private int cursor;
        private int lastReturned = -1;
        private int expectedModCount = modCount;

        @Override
        public boolean hasNext() {
            return cursor < size;
        }

        @Override
        public SelectionKey next() {
            checkForComodification();
            if (cursor >= size) {
                throw new NoSuchElementException();
            }
            lastReturned = cursor;
            return keys[cursor++];
        }

        @Override
        public void remove() {
            if (lastReturned < 0) {
                throw new IllegalStateException();
            }
            checkForComodification();
            removeAt(lastReturned);
            // The last key now sits in the slot just visited: visit that slot again.
            cursor = lastReturned;
            lastReturned = -1;
            expectedModCount = modCount;
        }

        private void checkForComodification() {
            if (modCount != expectedModCount) {
                throw new ConcurrentModificationException();
            }
        }
    }
}
