package io.mptcp.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * This JVM's class path made readable for a child run as {@code nobody}: the jars under root's
 * home (the Maven repository), which {@code nobody} cannot read, are copied to a temporary
 * directory readable by everyone; directories stay (the work tree is readable).
 */
public final class StagedClassPath implements AutoCloseable {
    private final Path dir;
    private final String classPath;

    private StagedClassPath(Path dir, String classPath) {
        this.dir = dir;
        this.classPath = classPath;
    }

    /** Copies what needs copying. */
    public static StagedClassPath stage() throws IOException {
        Path dir = Files.createTempDirectory("mptcp-nio-unpriv-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rwxr-xr-x")));
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.startsWith(System.getProperty("user.home")) && Files.isRegularFile(p)) {
                Path copy = dir.resolve((n++) + "-" + p.getFileName());
                Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                out.add(copy.toString());
            } else {
                out.add(entry);
            }
        }
        return new StagedClassPath(dir, String.join(File.pathSeparator, out));
    }

    /** The class path for the child. */
    public String classPath() {
        return classPath;
    }

    /** Deletes the copies. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
