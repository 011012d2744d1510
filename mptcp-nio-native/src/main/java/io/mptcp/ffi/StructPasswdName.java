package io.mptcp.ffi;

/**
 * The leading member that {@code struct passwd} and {@code struct group} (glibc's
 * {@code <pwd.h>} and {@code <grp.h>}) share: {@code char *pw_name} / {@code char *gr_name}, a
 * pointer into the caller's buffer of {@code getpwuid_r(3)} / {@code getgrgid_r(3)}. Only the
 * name is read, so the rest of each struct is reserved as opaque room: glibc's
 * {@code struct passwd} is 48 bytes and {@code struct group} 32 on LP64, and musl's are no
 * larger.
 */
final class StructPasswdName {
    private StructPasswdName() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code char *pw_name} / {@code char *gr_name}. */
    static final int NAME = LAYOUT.u64();
    /** The other members, never read. */
    static final int REST = LAYOUT.array(8, 7);

    /** Room for either struct. */
    static final int SIZEOF = LAYOUT.size();
}
