package io.mptcp.nio.internal.pipe;

import io.mptcp.ffi.ErrnoException;
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
import static io.mptcp.ffi.LinuxUapi.EPOLLOUT;
import static io.mptcp.ffi.LinuxUapi.POLLOUT;

/**
 * The write end of a {@link PipeImpl}, as the JDK's {@code SinkChannelImpl}.
 *
 * <p>The descriptor is always non-blocking; in blocking mode a write that would block parks
 * in poll(2) until the pipe has room or the channel is closed. Writing after the read end is
 * closed throws {@code IOException("Broken pipe")} (the JVM ignores SIGPIPE).
 *
 * <p>Close is two-phase ({@link Descriptor}): the descriptor is released once no write
 * uses it and no selector holds the channel.
 */
final class PipeSinkChannel extends Pipe.SinkChannel implements NativeChannel {
    private final Descriptor descriptor;

    PipeSinkChannel(SelectorProvider provider, LinuxSyscalls sys, int fd) {
        super(provider);
        this.descriptor = new Descriptor(new ChannelOwner(this, this::begin, this::end), sys, fd);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        return (int) write(src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return write(null, srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /**
     * Writes from {@code src}, or when it is null from {@code srcs[offset..offset+length)}
     * (at most {@code IOV_MAX} buffers with bytes remaining, as one writev(2)). In blocking
     * mode, as a write(2) on a blocking pipe (the JDK's), it returns once every byte is
     * written, or with the bytes written so far when the pipe breaks or the channel closes.
     */
    private long write(ByteBuffer src, ByteBuffer[] srcs, int offset, int given)
            throws IOException {
        // The JDK's pipe makes one writev of the first IOV_MAX buffers: later ones stay.
        int length = src != null ? 0 : FdIo.iovLength(srcs, offset, given);
        descriptor.lockWrite();
        try {
            descriptor.ensureOpenFirst(Descriptor.OpenCheck.ACCEPT_CONNECT_PIPE);
            boolean blocking = isBlocking();
            long requested = 0;
            long written = 0;
            try {
                // When blocking, Thread.interrupt now closes the channel.
                descriptor.begin(Descriptor.Op.WRITE, blocking);
                if (blocking) {
                    requested = src != null ? src.remaining() : remaining(srcs, offset, length);
                }
                for (;;) {
                    long n = writeOnce(src, srcs, offset, length);
                    written += Math.max(n, 0);
                    if (!blocking || written >= requested || !isOpen()) {
                        break;
                    }
                    descriptor.parkRaw(POLLOUT, 0);
                }
            } catch (ErrnoException e) {
                if (written == 0) {
                    throw NioExceptions.io(e);
                }
                // Report what was written; the next write meets the error again.
            } finally {
                // Throws ClosedByInterruptException or AsynchronousCloseException if the
                // channel was closed under this write before it wrote anything.
                descriptor.end(Descriptor.Op.WRITE, blocking, written > 0);
            }
            return written;
        } finally {
            descriptor.unlockWrite();
        }
    }

    private static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += srcs[i].remaining();
        }
        return sum;
    }

    private long writeOnce(ByteBuffer src, ByteBuffer[] srcs, int offset, int length)
            throws ErrnoException {
        return src != null
                ? FdIo.write(descriptor.sys(), descriptor.fd(), src)
                : FdIo.write(descriptor.sys(), descriptor.fd(), srcs, offset, length);
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
        return (ops & SelectionKey.OP_WRITE) != 0 ? EPOLLOUT : 0;
    }

    @Override
    public int translateReadyOps(int events, int interestOps) {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
            return interestOps;
        }
        return (events & EPOLLOUT) != 0 ? interestOps & SelectionKey.OP_WRITE : 0;
    }
}
