package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

import java.nio.ByteBuffer;

/**
 * One non-blocking read or write on a descriptor with NIO buffer bookkeeping, as the JDK's
 * {@code IOUtil}: heap buffers go through {@link DirectBufferCache}, positions advance by what
 * was transferred, scatter/gather is bounded by {@code IOV_MAX}.
 *
 * <p>Results: bytes transferred ({@code > 0}), {@link IoStatus#EOF} at end of stream,
 * {@link IoStatus#UNAVAILABLE} when the call would block, or 0 when there was nothing to
 * transfer (no space left, nothing to write). Reading into a read-only buffer throws
 * {@link IllegalArgumentException}, as the JDK does (the kernel would write into it).
 */
public final class FdIo {
    private FdIo() {
    }

    public static int read(LinuxSyscalls sys, int fd, ByteBuffer dst) throws ErrnoException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        int remaining = dst.remaining();
        if (remaining == 0) {
            return 0;
        }
        if (dst.isDirect()) {
            int n = sys.read(fd, dst);
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n == 0 ? IoStatus.EOF : n;
        }
        ByteBuffer tmp = DirectBufferCache.acquire(remaining);
        try {
            int n = sys.read(fd, tmp);
            if (n > 0) {
                tmp.limit(n);
                dst.put(tmp);
            }
            return n == 0 ? IoStatus.EOF : n;
        } finally {
            DirectBufferCache.release(tmp);
        }
    }

    public static int write(LinuxSyscalls sys, int fd, ByteBuffer src) throws ErrnoException {
        int remaining = src.remaining();
        if (remaining == 0) {
            return 0;
        }
        if (src.isDirect()) {
            int n = sys.write(fd, src);
            if (n > 0) {
                src.position(src.position() + n);
            }
            return n;
        }
        ByteBuffer tmp = DirectBufferCache.acquire(remaining);
        try {
            // An absolute copy (position 0, limit remaining as acquired): no duplicate of src,
            // so a heap write allocates nothing.
            tmp.put(0, src, src.position(), remaining);
            int n = sys.write(fd, tmp);
            if (n > 0) {
                src.position(src.position() + n);
            }
            return n;
        } finally {
            DirectBufferCache.release(tmp);
        }
    }

    /** Scattering read into {@code dsts[offset .. offset+length)} (bounds checked by caller). */
    public static long read(LinuxSyscalls sys, int fd, ByteBuffer[] dsts, int offset, int length)
            throws ErrnoException {
        Iov iov = Iov.of(dsts, offset, length, false);
        if (iov == null) {
            return 0;
        }
        try {
            long n = sys.readv(fd, iov.buffers, 0, iov.count);
            if (n > 0) {
                iov.completeRead(n);
            }
            return n == 0 ? IoStatus.EOF : n;
        } finally {
            iov.release();
        }
    }

    /** Gathering write from {@code srcs[offset .. offset+length)} (bounds checked by caller). */
    public static long write(LinuxSyscalls sys, int fd, ByteBuffer[] srcs, int offset, int length)
            throws ErrnoException {
        Iov iov = Iov.of(srcs, offset, length, true);
        if (iov == null) {
            return 0;
        }
        try {
            long n = sys.writev(fd, iov.buffers, 0, iov.count);
            if (n > 0) {
                iov.completeWrite(n);
            }
            return n;
        } finally {
            iov.release();
        }
    }

    /**
     * How many of {@code bufs[offset .. offset+length)} one readv/writev takes: up to and
     * including the {@code IOV_MAX}-th buffer with bytes remaining (the JDK's bound).
     */
    public static int iovLength(ByteBuffer[] bufs, int offset, int length) {
        int taken = 0;
        for (int i = offset; i < offset + length; i++) {
            if (bufs[i].hasRemaining() && ++taken == LinuxUapi.IOV_MAX) {
                return i + 1 - offset;
            }
        }
        return length;
    }

    /**
     * The buffers of one readv/writev: the caller's buffers that have room or data (at most
     * IOV_MAX), with heap ones replaced by direct shadows from the cache.
     */
    private static final class Iov {
        private static final ThreadLocal<Iov> SCRATCH = ThreadLocal.withInitial(Iov::new);

        final ByteBuffer[] buffers = new ByteBuffer[LinuxUapi.IOV_MAX];
        final ByteBuffer[] originals = new ByteBuffer[LinuxUapi.IOV_MAX];
        int count;
        boolean shadowed;

        static Iov of(ByteBuffer[] bufs, int offset, int length, boolean forWrite) {
            Iov iov = SCRATCH.get();
            iov.count = 0;
            iov.shadowed = false;
            int end = offset + length;
            try {
                for (int i = offset; i < end && iov.count < LinuxUapi.IOV_MAX; i++) {
                    ByteBuffer b = bufs[i];
                    if (!forWrite && b.isReadOnly()) {
                        throw new IllegalArgumentException("Read-only buffer");
                    }
                    int rem = b.remaining();
                    if (rem == 0) {
                        continue;
                    }
                    ByteBuffer native_ = b;
                    if (!b.isDirect()) {
                        native_ = DirectBufferCache.acquire(rem);
                        iov.shadowed = true;
                    }
                    // Recorded before the copy, so that a failure gives every shadow back.
                    iov.originals[iov.count] = b;
                    iov.buffers[iov.count] = native_;
                    iov.count++;
                    if (forWrite && native_ != b) {
                        native_.put(0, b, b.position(), rem);
                    }
                }
            } catch (RuntimeException | Error e) {
                // A read-only buffer, or no memory for a shadow: the shadows taken go back.
                iov.release();
                throw e;
            }
            if (iov.count == 0) {
                return null;
            }
            return iov;
        }

        void completeRead(long n) {
            for (int i = 0; i < count && n > 0; i++) {
                ByteBuffer original = originals[i];
                ByteBuffer native_ = buffers[i];
                int rem = native_.remaining();
                int took = (int) Math.min(n, rem);
                if (native_ == original) {
                    original.position(original.position() + took);
                } else {
                    native_.limit(native_.position() + took);
                    original.put(native_);
                }
                n -= took;
            }
        }

        void completeWrite(long n) {
            for (int i = 0; i < count && n > 0; i++) {
                ByteBuffer original = originals[i];
                int took = (int) Math.min(n, original.remaining());
                original.position(original.position() + took);
                n -= took;
            }
        }

        void release() {
            for (int i = 0; i < count; i++) {
                if (shadowed && buffers[i] != originals[i]) {
                    // In acquisition order, to the back: the next call finds them in order.
                    DirectBufferCache.releaseLast(buffers[i]);
                }
                buffers[i] = null;
                originals[i] = null;
            }
            count = 0;
        }
    }
}
