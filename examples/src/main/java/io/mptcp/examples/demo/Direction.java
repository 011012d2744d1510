package io.mptcp.examples.demo;

import java.util.Locale;

/** Which way the demo's data flows: from the client up to the server, down, or both. */
public enum Direction {
    /** Client to server: the direction the client's path profile steers. */
    UP,
    /** Server to client. */
    DOWN,
    /** Both at once. */
    BOTH;

    /**
     * The direction named {@code name} (case ignored).
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static Direction parse(String name) {
        for (Direction d : values()) {
            if (d.name().equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("--direction " + name
                + ": use one of up, down, both");
    }

    /** {@return whether the client sends data} */
    public boolean clientSends() {
        return this != DOWN;
    }

    /** {@return whether the server sends data} */
    public boolean serverSends() {
        return this != UP;
    }

    /** {@return the name as the option takes it} */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
