package io.mptcp.nio.contract.socket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Pins {@code io.mptcp.nio.mode} for one test class (surefire runs classes one by one). */
final class Modes {

    static final String MODE_PROPERTY = "io.mptcp.nio.mode";
    private static String saved;

    private Modes() {
    }

    static void pin(String mode) {
        saved = System.getProperty(MODE_PROPERTY);
        System.setProperty(MODE_PROPERTY, mode);
    }

    static void restore() {
        if (saved == null) {
            System.clearProperty(MODE_PROPERTY);
        } else {
            System.setProperty(MODE_PROPERTY, saved);
        }
    }

    /** Mode {@code all}: MPTCP for clients and listeners. */
    interface All {
        @BeforeAll
        static void pinAll() {
            pin("all");
        }

        @AfterAll
        static void restoreAll() {
            restore();
        }
    }

    /** Mode {@code off}: plain TCP. */
    interface Off {
        @BeforeAll
        static void pinOff() {
            pin("off");
        }

        @AfterAll
        static void restoreOff() {
            restore();
        }
    }
}
