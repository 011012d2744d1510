package io.mptcp.ffi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Descriptors a test opened, closed after it; plus small buffer helpers for the I/O tests. */
final class OpenFds implements AutoCloseable {
    final LinuxSyscalls sys;
    private final List<Integer> fds = new ArrayList<>();

    OpenFds() throws NativeUnavailableException {
        sys = LinuxSyscalls.system();
    }

    int track(int fd) {
        fds.add(fd);
        return fd;
    }

    int[] track(int[] pair) {
        track(pair[0]);
        track(pair[1]);
        return pair;
    }

    /** Closes {@code fd} now and forgets it. */
    void close(int fd) throws ErrnoException {
        fds.remove(Integer.valueOf(fd));
        sys.close(fd);
    }

    @Override
    public void close() throws ErrnoException {
        for (int fd : fds) {
            sys.close(fd);
        }
        fds.clear();
    }

    static ByteBuffer direct(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return direct(bytes.length).put(bytes).flip();
    }

    /** The bytes of {@code b} in {@code [from, to)} as text, without touching its position. */
    static String text(ByteBuffer b, int from, int to) {
        byte[] bytes = new byte[to - from];
        b.get(from, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
