package io.mptcp.ffi;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Locale;

/**
 * Binds libc once, on first use, for {@link LinuxSyscalls#system()}.
 *
 * <p>Loading never throws anything but {@link NativeUnavailableException} (and the JVM's own
 * {@link VirtualMachineError}s): a failure of jffi or jnr-ffi to load, whatever its type, becomes
 * a message that says what failed and how to fix it. The failure is kept, so every later call
 * reports the same message without trying again; each call gets its own exception, with the
 * original failure as its cause, so that the stack trace shows the caller.
 */
final class NativeLoader {
    /** Produces the binding; may throw anything jffi and jnr-ffi throw. */
    @FunctionalInterface
    interface Binder {
        LinuxSyscalls bind() throws Throwable;
    }

    private static final NativeLoader SYSTEM = new NativeLoader(NativeLoader::bindLibc);

    private final Binder binder;
    // Written once under "this"; the volatile read is the fast path of every later call.
    private volatile LinuxSyscalls loaded;
    // Guarded by "this".
    private NativeUnavailableException failure;

    NativeLoader(Binder binder) {
        this.binder = binder;
    }

    static LinuxSyscalls syscalls() throws NativeUnavailableException {
        return SYSTEM.get();
    }

    /**
     * Binds with the library's own rights only: under a security manager (JDK 17 to 23) the
     * application calling a channel method does not need the permissions jffi and jnr-ffi
     * use (properties, class loaders, the native stub), as it does not for the JDK's channels.
     */
    @SuppressWarnings("removal") // AccessController: deprecated with the security manager
    private static LinuxSyscalls bindLibc() throws Exception {
        try {
            return AccessController.doPrivileged(
                    (PrivilegedExceptionAction<LinuxSyscalls>) () -> {
                        checkPlatform(System.getProperty("os.name", ""),
                                System.getProperty("os.arch", ""));
                        return new JnrLinuxSyscalls(LibC.load());
                    });
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }

    /**
     * A system property read with this library's rights (see {@link #bindLibc}): the
     * application need not be allowed to read it.
     */
    @SuppressWarnings("removal") // AccessController: deprecated with the security manager
    static String systemProperty(String key, String fallback) {
        if (System.getSecurityManager() == null) {
            return System.getProperty(key, fallback);
        }
        return AccessController.doPrivileged(
                (PrivilegedAction<String>) () -> System.getProperty(key, fallback));
    }

    LinuxSyscalls get() throws NativeUnavailableException {
        LinuxSyscalls syscalls = loaded;
        return syscalls != null ? syscalls : load();
    }

    private synchronized LinuxSyscalls load() throws NativeUnavailableException {
        if (loaded == null && failure == null) {
            try {
                loaded = binder.bind();
            } catch (NativeUnavailableException e) {
                failure = e;
            } catch (VirtualMachineError e) {
                // The JVM is in trouble, not the binding: let a later call try again.
                throw e;
            } catch (Throwable t) {
                failure = new NativeUnavailableException(describe(t), t);
            }
        }
        if (loaded != null) {
            return loaded;
        }
        throw new NativeUnavailableException(failure.getMessage(), failure);
    }

    /**
     * Accepts only Linux on x86-64 or aarch64: the uapi constants and struct layouts of this
     * library are those of the LP64 asm-generic ABI shared by these two.
     */
    static void checkPlatform(String osName, String osArch) throws NativeUnavailableException {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new NativeUnavailableException("mptcp-nio needs Linux (MPTCP and epoll are"
                    + " Linux kernel interfaces), this JVM runs on os.name=" + osName, null);
        }
        switch (osArch) {
            case "amd64", "x86_64", "aarch64", "arm64":
                return;
            default:
                throw new NativeUnavailableException("mptcp-nio supports Linux on x86-64 and"
                        + " aarch64 only, whose kernel ABI it mirrors; this JVM runs on os.arch="
                        + osArch, null);
        }
    }

    /** What to tell the user when loading jffi or binding libc threw {@code t}. */
    static String describe(Throwable t) {
        String what = "cannot bind libc through JNR-FFI (" + firstLine(rootCause(t)) + "): ";
        // jffi reports a denied System.load as an UnsatisfiedLinkError that only quotes it.
        if (causedBy(t, IllegalCallerException.class, "IllegalCallerException")) {
            return what + "this JVM denies native access; run it with"
                    + " --enable-native-access=ALL-UNNAMED, or name the module that holds jffi";
        }
        if (causedBy(t, NoClassDefFoundError.class, null)
                || causedBy(t, ClassNotFoundException.class, null)) {
            return what + "put jnr-ffi and jffi (with its 'native' classifier jar) on the class"
                    + " path";
        }
        if (causedBy(t, UnsatisfiedLinkError.class, null)) {
            return what + "jffi could not load its JNI stub, which it extracts into"
                    + " -Djffi.extract.dir, $TMPDIR or java.io.tmpdir ("
                    + systemProperty("java.io.tmpdir", "") + "). If that directory is mounted"
                    + " noexec, set -Djava.io.tmpdir (or -Djffi.extract.dir) to a directory that"
                    + " allows exec, or install libjffi and point -Djffi.boot.library.path at"
                    + " its directory; check also that the jffi 'native' jar is on the class path";
        }
        return what + "check that jnr-ffi and jffi are on the class path in matching versions";
    }

    private static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String firstLine(Throwable t) {
        String text = t.toString().strip();
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end).strip();
    }

    /** Whether {@code type} or, if given, a message naming {@code quoted} is in the chain. */
    private static boolean causedBy(Throwable t, Class<? extends Throwable> type, String quoted) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String message = c.getMessage();
            if (type.isInstance(c)
                    || quoted != null && message != null && message.contains(quoted)) {
                return true;
            }
        }
        return false;
    }
}
