package io.mptcp.nio.internal.fd;

import java.io.IOException;

/**
 * Work a channel does once it has closed, after its own close (an inherited channel puts
 * {@code /dev/null} on the standard streams, as the JDK's do).
 */
@FunctionalInterface
public interface AfterClose {
    void run() throws IOException;
}
