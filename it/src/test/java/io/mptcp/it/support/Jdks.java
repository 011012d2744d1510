package io.mptcp.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JDKs installed on this machine, for tests that need a newer one than the build runs on
 * (virtual threads need 21): this JVM's own, then each directory of {@code /usr/lib/jvm}, read
 * from its {@code release} file.
 */
public final class Jdks {
    /** Where Debian and the Temurin packages install JDKs. */
    public static final Path JVM_DIR = Path.of("/usr/lib/jvm");

    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)[^\"]*\"",
            Pattern.MULTILINE);

    /** One installed JDK: its feature version and its {@code bin/java}. */
    public record Jdk(int feature, Path java) {
    }

    private Jdks() {
    }

    /** The newest JDK of at least {@code feature}, this JVM's own first if it qualifies. */
    public static Optional<Jdk> atLeast(int feature) {
        Path self = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= feature) {
            return Optional.of(new Jdk(Runtime.version().feature(), self.resolve("bin/java")));
        }
        return installed().stream().filter(j -> j.feature() >= feature)
                .max(Comparator.comparingInt(Jdk::feature));
    }

    /** Every JDK under {@link #JVM_DIR} with a {@code release} file and a {@code bin/java}. */
    public static List<Jdk> installed() {
        List<Jdk> found = new ArrayList<>();
        if (!Files.isDirectory(JVM_DIR)) {
            return found;
        }
        try (Stream<Path> dirs = Files.list(JVM_DIR)) {
            for (Path dir : (Iterable<Path>) dirs.sorted()::iterator) {
                Path release = dir.resolve("release");
                Path java = dir.resolve("bin/java");
                if (Files.isRegularFile(release) && Files.isExecutable(java)) {
                    Matcher m = VERSION.matcher(Files.readString(release));
                    if (m.find()) {
                        found.add(new Jdk(Integer.parseInt(m.group(1)), java));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + JVM_DIR, e);
        }
        return found;
    }
}
