package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct ucred} (linux/socket.h; glibc's {@code <sys/socket.h>}), the value of
 * {@code SO_PEERCRED}: the process, user and group of the peer of a UNIX-domain socket as they
 * were when it connected (or, for the accepting end, when the peer called connect). On a socket
 * with no peer the kernel answers pid 0 and uid and gid -1. Accessors work at {@code base} of a
 * buffer in native byte order.
 */
public final class StructUcred {
    private StructUcred() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code __u32 pid} ({@code pid_t}). */
    public static final int PID = LAYOUT.u32();
    /** {@code __u32 uid} ({@code uid_t}). */
    public static final int UID = LAYOUT.u32();
    /** {@code __u32 gid} ({@code gid_t}). */
    public static final int GID = LAYOUT.u32();

    /** {@code sizeof(struct ucred)}. */
    public static final int SIZEOF = LAYOUT.size();

    public static int pid(ByteBuffer b, int base) {
        return b.getInt(base + PID);
    }

    public static int uid(ByteBuffer b, int base) {
        return b.getInt(base + UID);
    }

    public static int gid(ByteBuffer b, int base) {
        return b.getInt(base + GID);
    }
}
