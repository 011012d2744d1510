package io.mptcp.nio.internal.fd;

import java.security.AccessController;
import java.security.PrivilegedAction;

/**
 * Runs the library's own work that needs permissions (reading its configuration and the JDK's
 * networking properties) with the library's rights only. Under a security manager (JDK 17 to
 * 23) the application calling a channel method then needs the permissions the JDK's channels
 * ask of it ({@code internal.net.SecurityChecks}), and no more, as the JDK's channels, whose
 * code is fully trusted, read such properties privileged too. Without a security manager (and
 * on JDK 24 and later, which have none) the action just runs.
 */
public final class Privileged {
    private Privileged() {
    }

    /** Runs {@code action} with the library's rights (see the class comment). */
    @SuppressWarnings("removal") // AccessController: deprecated with the security manager
    public static <T> T run(PrivilegedAction<T> action) {
        return System.getSecurityManager() == null ? action.run()
                : AccessController.doPrivileged(action);
    }
}
