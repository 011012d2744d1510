package io.mptcp.nio.pm;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The kernel refused a path-manager request or an event subscription. It carries the errno,
 * the kernel's own explanation (its extended acknowledgement, such as {@code "limit greater
 * than maximum (8)"}) and, where the kernel names one, the attribute that was missing. The
 * cause is an {@link io.mptcp.ffi.ErrnoException} naming the command and the errno.
 *
 * <p>{@code EPERM} means the caller lacks {@code CAP_NET_ADMIN} in the user namespace that
 * owns the network namespace (Linux 6.1 and later; before 6.1, in the initial user namespace).
 * Reading endpoints and limits needs no privilege.
 */
public final class PathManagerException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final int errno;
    private final String extack;
    private final int missingAttribute;

    /**
     * @param message the full message
     * @param command the request, such as {@code "ADD_ADDR"}
     * @param errno the positive errno
     * @param extack the kernel's text, or null
     * @param missingAttribute the type of the missing attribute, or -1
     * @param cause the errno as an exception
     */
    public PathManagerException(String message, String command, int errno, String extack,
            int missingAttribute, Throwable cause) {
        super(message, cause);
        this.command = command;
        this.errno = errno;
        this.extack = extack;
        this.missingAttribute = missingAttribute;
    }

    /**
     * The request the kernel refused ({@code "ADD_ADDR"}, {@code "mptcp_pm_events"}, ...).
     *
     * @return the refused request's name, as in the message
     */
    public String command() {
        return command;
    }

    /**
     * The errno (positive), such as 1 for {@code EPERM} or 22 for {@code EINVAL}.
     *
     * @return the positive errno of the refusal
     */
    public int errno() {
        return errno;
    }

    /**
     * The kernel's explanation ({@code NLMSGERR_ATTR_MSG}), if it gave one.
     *
     * @return the kernel's text, such as {@code "limit greater than maximum (8)"}, or empty
     */
    public Optional<String> kernelMessage() {
        return Optional.ofNullable(extack);
    }

    /**
     * The type of the attribute the kernel missed ({@code NLMSGERR_ATTR_MISS_TYPE}).
     *
     * @return the missing attribute's type, or empty if the kernel named none
     */
    public OptionalInt missingAttribute() {
        return missingAttribute < 0 ? OptionalInt.empty() : OptionalInt.of(missingAttribute);
    }
}
