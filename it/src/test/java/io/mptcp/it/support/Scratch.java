package io.mptcp.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch directories of the servers the tests start: created in /tmp, deleted whole. */
public final class Scratch {

    private Scratch() {
    }

    /** A new empty directory {@code /tmp/mptcp-nio-NAME-…}. */
    public static Path create(String name) throws IOException {
        return Files.createTempDirectory("mptcp-nio-" + name + "-");
    }

    /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
