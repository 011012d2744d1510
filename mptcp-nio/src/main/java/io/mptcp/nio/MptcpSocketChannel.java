package io.mptcp.nio;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A {@link SocketChannel} over a Multipath TCP socket, or over TCP where MPTCP was not
 * possible. Every channel that {@link MptcpSelectorProvider#openSocketChannel()} returns, and
 * every channel a {@link MptcpServerSocketChannel} accepts, is one.
 *
 * <p>It behaves exactly like the JDK's socket channel; the MPTCP state is read through
 * {@link #getOption} with the keys of {@link MptcpSocketOptions}.
 */
public abstract class MptcpSocketChannel extends SocketChannel {

    /**
     * For this library's implementation. Like any {@code SocketChannel} subclass, one made
     * elsewhere cannot register with this provider's selectors.
     *
     * @param provider the provider that created the channel
     */
    protected MptcpSocketChannel(SelectorProvider provider) {
        super(provider);
    }

    /**
     * Socket options that the kernel refused on this MPTCP socket and that were therefore not
     * applied, with the values asked for. An MPTCP socket refuses some options a TCP socket
     * takes (for example {@code SO_OOBINLINE} or {@code TCP_QUICKACK}); outside strict mode
     * ({@code io.mptcp.nio.strict}) setting one does not throw, so that programs written for
     * TCP keep working, and it is recorded here instead (and logged once per option). Empty
     * for a plain TCP socket, which reports refusals as exceptions like the JDK's.
     *
     * @return an unmodifiable live view
     */
    public abstract Map<SocketOption<?>, Object> unappliedOptions();

    /**
     * Sends bytes of {@code file} to this channel without copying them through the JVM, with
     * sendfile(2): what {@code FileChannel.transferTo} does for the JDK's own socket channels
     * but cannot do for this one. {@code FileChannel.transferTo(position, count, thisChannel)}
     * works too, but it copies 8 KiB at a time through a heap buffer (README, "sendfile /
     * transferTo", has the figures).
     *
     * <p>The file is opened read-only for the call and closed after it. In blocking mode the
     * call returns once {@code count} bytes are sent or the end of the file is reached; in
     * non-blocking mode it sends what the socket takes now, possibly nothing. Close and
     * interrupt end a blocked call as they end a blocked {@code write}. A file on another file
     * system than the default one is sent through {@link FileChannel#transferTo}.
     *
     * @param file the file to send
     * @param position where in the file to start; the end of the file sends nothing
     * @param count the most bytes to send
     * @return the bytes sent
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     * @throws java.nio.file.NoSuchFileException if the file does not exist (other
     *     {@link java.nio.file.FileSystemException}s for other failures to open it)
     * @throws java.nio.channels.NotYetConnectedException if this channel is not connected
     * @throws java.nio.channels.ClosedChannelException if this channel is closed or its output
     *     shut down
     * @throws IOException as {@code write} throws it
     */
    public long transferFrom(Path file, long position, long count) throws IOException {
        checkTransfer(file, position, count);
        try (FileChannel src = FileChannel.open(file, StandardOpenOption.READ)) {
            return src.transferTo(position, count, this);
        }
    }

    /**
     * For this library's implementation: checks the arguments of
     * {@link #transferFrom(Path, long, long)} as this class's own implementation does, so that
     * an overriding one rejects the same calls with the same exceptions.
     *
     * @param file the file to send
     * @param position where in the file to start
     * @param count the most bytes to send
     * @throws NullPointerException if {@code file} is null
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     */
    protected static void checkTransfer(Path file, long position, long count) {
        java.util.Objects.requireNonNull(file, "file");
        if (position < 0) {
            throw new IllegalArgumentException("transferFrom: position " + position
                    + " is negative");
        }
        if (count < 0) {
            throw new IllegalArgumentException("transferFrom: count " + count + " is negative");
        }
    }
}
