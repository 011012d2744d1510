package io.mptcp.nio;

import io.mptcp.ffi.LinuxSyscalls;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/** PLACEHOLDER: being written on branch selector. */
final class EpollSelector extends AbstractSelector {
    EpollSelector(SelectorProvider provider, LinuxSyscalls sys) throws IOException {
        super(provider);
        throw new IOException("EpollSelector: not written yet");
    }

    @Override protected void implCloseSelector() { }
    @Override protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        throw new UnsupportedOperationException();
    }
    @Override public Set<SelectionKey> keys() { throw new UnsupportedOperationException(); }
    @Override public Set<SelectionKey> selectedKeys() { throw new UnsupportedOperationException(); }
    @Override public int selectNow() { throw new UnsupportedOperationException(); }
    @Override public int select(long timeout) { throw new UnsupportedOperationException(); }
    @Override public int select() { throw new UnsupportedOperationException(); }
    @Override public Selector wakeup() { return this; }
}
