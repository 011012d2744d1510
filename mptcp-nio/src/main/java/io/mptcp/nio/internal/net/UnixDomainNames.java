package io.mptcp.nio.internal.net;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.fd.Privileged;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Properties;
import java.util.Random;

/**
 * UNIX-domain socket names as the JDK spells them ({@code sun.nio.ch.UnixDomainSockets}): the
 * bytes of a {@link UnixDomainSocketAddress} path, the address of bytes the kernel returned,
 * the unnamed address, and the automatically chosen name of a server bound to {@code null}.
 *
 * <p>Encoding follows {@code sun.nio.fs.UnixPath}: the path's string in {@code sun.jnu.encoding},
 * relative paths stay relative, and the empty path is {@code "."} (which only a connect can
 * reach: binding it means "unnamed"). Decoding uses the default charset, as the JDK's
 * {@code UnixDomainSocketsUtil.getCharset()}. Paths over
 * {@link LinuxSyscalls#UNIX_PATH_MAX_BYTES} bytes fail with the JDK's
 * {@code SocketException("Unix domain path too long")}.
 */
public final class UnixDomainNames {
    /** The system and networking property that chooses the directory of automatic names. */
    public static final String TMPDIR_PROPERTY = "jdk.net.unixdomain.tmpdir";

    private static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");
    private static final Charset PATH_CHARSET = jnuCharset();

    private UnixDomainNames() {
    }

    private static Charset jnuCharset() {
        String name = Privileged.run(() -> System.getProperty("sun.jnu.encoding"));
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (IllegalArgumentException unsupported) {
            return Charset.defaultCharset();
        }
    }

    /** The address of an unnamed socket: the empty path. */
    public static UnixDomainSocketAddress unnamed() {
        return UNNAMED;
    }

    /**
     * Checks an address given to bind or connect: null → NPE, not UNIX-domain →
     * {@link UnsupportedAddressTypeException}, as the JDK's {@code checkAddress}.
     */
    public static UnixDomainSocketAddress checkAddress(SocketAddress sa) {
        if (sa == null) {
            throw new NullPointerException("address");
        }
        if (!(sa instanceof UnixDomainSocketAddress uds)) {
            throw new UnsupportedAddressTypeException();
        }
        return uds;
    }

    /**
     * The bytes the kernel is given for {@code path}.
     *
     * @throws SocketException "Unix domain path too long" beyond
     *     {@link LinuxSyscalls#UNIX_PATH_MAX_BYTES} bytes, as the JDK
     */
    public static byte[] pathBytes(Path path) throws SocketException {
        String s = path.toString();
        byte[] bytes = s.isEmpty() ? new byte[] {'.'} : s.getBytes(PATH_CHARSET);
        if (bytes.length > LinuxSyscalls.UNIX_PATH_MAX_BYTES) {
            throw new SocketException("Unix domain path too long");
        }
        return bytes;
    }

    /** The address of the name the kernel returned (empty: {@link #unnamed()}). */
    public static UnixDomainSocketAddress address(byte[] bytes) {
        return bytes.length == 0 ? UNNAMED
                : UnixDomainSocketAddress.of(new String(bytes, Charset.defaultCharset()));
    }

    /**
     * A fresh candidate name for a server bound to {@code null}: {@code <dir>/socket_<n>}, with
     * {@code n} a random non-negative int and {@code dir} the JDK's choice (see
     * {@link #tempDirectory}). A different name each call; the caller binds it and tries again
     * (the JDK: up to 10 times) if it is taken.
     *
     * @throws BindException as the JDK's, if no directory is known or it is not a valid path
     */
    public static UnixDomainSocketAddress temporaryName() throws BindException {
        String dir = TempDir.DIRECTORY;
        if (dir == null) {
            throw new BindException("Could not locate temporary directory for sockets");
        }
        try {
            return UnixDomainSocketAddress.of(
                    Path.of(dir, "socket_" + TempDir.RANDOM.nextInt(Integer.MAX_VALUE)));
        } catch (InvalidPathException e) {
            BindException x = new BindException("Invalid temporary directory");
            x.initCause(e);
            throw x;
        }
    }

    /**
     * The directory of automatically chosen names, as {@code UnixDomainSocketsUtil.getTempDir}:
     * the system property {@value #TMPDIR_PROPERTY}, else that networking property in
     * {@code $JAVA_HOME/conf/net.properties} (the JDKs set it to {@code /tmp} on Linux), else
     * {@code java.io.tmpdir}. Empty values count as unset.
     */
    static String tempDirectory(String systemProperty, String netProperty, String javaIoTmpdir) {
        if (systemProperty != null && !systemProperty.isEmpty()) {
            return systemProperty;
        }
        if (netProperty != null && !netProperty.isEmpty()) {
            return netProperty;
        }
        return javaIoTmpdir;
    }

    /** Read once per JVM, at the first automatic name, as the JDK does. */
    private static final class TempDir {
        static final String DIRECTORY = Privileged.run(() -> tempDirectory(
                System.getProperty(TMPDIR_PROPERTY), netProperty(TMPDIR_PROPERTY),
                System.getProperty("java.io.tmpdir")));
        static final Random RANDOM = random();

        private static Random random() {
            try {
                return SecureRandom.getInstance("NativePRNGNonBlocking");
            } catch (NoSuchAlgorithmException e) {
                return new SecureRandom();
            }
        }

        /** A property of the JDK's {@code conf/net.properties}, or null. */
        private static String netProperty(String key) {
            Path file = Path.of(System.getProperty("java.home"), "conf", "net.properties");
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException | InvalidPathException e) {
                return null;
            }
            return props.getProperty(key);
        }
    }
}
