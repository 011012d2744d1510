package io.mptcp.nio.internal.pipe;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.fd.ChannelOwner;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.FdIo;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

import static io.mptcp.ffi.LinuxUapi.EPOLLERR;
import static io.mptcp.ffi.LinuxUapi.EPOLLHUP;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.POLLIN;

/**
 * The read end of a {@link PipeImpl}, as the JDK's {@code SourceChannelImpl}.
 *
 * <p>The descriptor is always non-blocking; in blocking mode a read that would block parks in
 * poll(2) until the pipe is readable or the channel is closed.
 *
 * <p>Close is two-phase ({@link Descriptor}): the descriptor is released once no read
 * uses it and no selector holds the channel.
 */
final class PipeSourceChannel extends Pipe.SourceChannel implements NativeChannel {
    private final Descriptor descriptor;

    PipeSourceChannel(SelectorProvider provider, LinuxSyscalls sys, int fd) {
        super(provider);
        this.descriptor = new Descriptor(new ChannelOwner(this, this::begin, this::end), sys, fd);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return (int) read(dst, null, 0, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(null, dsts, offset, length);
    }

    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, dsts.length);
    }

    /** Reads into {@code dst}, or when it is null into {@code dsts[offset..offset+length)}. */
    private long read(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length)
            throws IOException {
        descriptor.lockRead();
        try {
            descriptor.ensureOpenFirst(Descriptor.OpenCheck.ACCEPT_CONNECT_PIPE);
            boolean blocking = isBlocking();
            long n = 0;
            try {
                // When blocking, Thread.interrupt now closes the channel.
                descriptor.begin(Descriptor.Op.READ, blocking);
                n = readOnce(dst, dsts, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    descriptor.parkRaw(POLLIN, 0);
                    n = readOnce(dst, dsts, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                // Throws ClosedByInterruptException or AsynchronousCloseException if the
                // channel was closed under this read before it got data.
                descriptor.end(Descriptor.Op.READ, blocking, n > 0);
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            descriptor.unlockRead();
        }
    }

    private long readOnce(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length)
            throws ErrnoException {
        return dst != null
                ? FdIo.read(descriptor.sys(), descriptor.fd(), dst)
                : FdIo.read(descriptor.sys(), descriptor.fd(), dsts, offset, length);
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        // The descriptor stays non-blocking; only wait for an operation in progress, as the
        // JDK does.
        descriptor.withAllLocks(() -> null);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        descriptor.close();
    }

    @Override
    public void kill() throws IOException {
        descriptor.kill();
    }

    @Override
    public int fdVal() {
        return descriptor.fd();
    }

    @Override
    public int translateInterestOps(int ops) {
        return (ops & SelectionKey.OP_READ) != 0 ? EPOLLIN : 0;
    }

    @Override
    public int translateReadyOps(int events, int interestOps) {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
            return interestOps;
        }
        return (events & EPOLLIN) != 0 ? interestOps & SelectionKey.OP_READ : 0;
    }
}
